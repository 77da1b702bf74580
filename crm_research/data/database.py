"""The customer database of Winer's (2001) step 1, as an embedded DuckDB file.

Winer's first step is to *create a customer database* holding five kinds of
data: transactions, customer contacts, descriptive information, responses to
marketing stimuli and other data (here: web sessions).  :class:`CustomerDatabase`
keeps them as DuckDB tables — an embedded database in one file, no server to
start — and defines standard customer views in SQL.  Queries return pandas
DataFrames.

The schema is the sample company's (:data:`crm_research.data.samplecompany.SCHEMA`),
so a user's own CSV or Parquet files load into the same tables once their
column names are mapped.  Every load runs in one transaction: a missing column,
a value of the wrong type, a duplicate primary key or an orphan foreign key
raises :class:`~crm_research.core.errors.CRMInputError` naming the table and column,
and leaves the database exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_choice, closest_names, examples_of

__all__ = ["CustomerDatabase"]

DATABASE_TABLES = ("customers", "transactions", "contacts", "campaigns", "web_sessions")

# One row per key.  A campaign row is one contact of one recipient (customer or prospect).
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "transactions": ("order_id",),
    "contacts": ("contact_id",),
    "campaigns": ("campaign_id", "customer_id", "prospect_id"),
    "web_sessions": ("session_id",),
}

# (table, column) -> referenced table; customer_id must name a known customer.
FOREIGN_KEYS = {
    ("transactions", "customer_id"): "customers",
    ("contacts", "customer_id"): "customers",
    ("campaigns", "customer_id"): "customers",
    ("web_sessions", "customer_id"): "customers",
}

_DUCKDB_TYPE = {"id": "BIGINT", "Id": "BIGINT", "float": "DOUBLE", "str": "VARCHAR", "cat": "VARCHAR",
                "bool": "BOOLEAN", "date": "DATE"}

_VIEWS = {
    # one row per customer: what every later analysis starts from
    "customer_overview": """
        WITH o AS (
            SELECT customer_id, MIN(order_date) AS first_order, MAX(order_date) AS last_order,
                   COUNT(*) AS orders, SUM(amount) AS revenue, COUNT(DISTINCT category) AS categories
            FROM transactions GROUP BY customer_id),
        c AS (
            SELECT customer_id, COUNT(*) AS contacts,
                   COUNT(*) FILTER (WHERE channel = 'web') AS contacts_web,
                   COUNT(*) FILTER (WHERE channel = 'email') AS contacts_email,
                   COUNT(*) FILTER (WHERE channel = 'sms') AS contacts_sms,
                   COUNT(*) FILTER (WHERE channel = 'phone') AS contacts_phone,
                   COUNT(*) FILTER (WHERE channel = 'contact_centre') AS contacts_contact_centre,
                   COUNT(*) FILTER (WHERE channel = 'store') AS contacts_store,
                   COUNT(*) FILTER (WHERE purpose = 'complaint') AS complaints,
                   SUM(cost) AS contact_cost
            FROM contacts GROUP BY customer_id),
        m AS (
            SELECT customer_id, COUNT(*) FILTER (WHERE cell <> 'control') AS offers_received,
                   COUNT(*) FILTER (WHERE cell <> 'control' AND responded) AS offers_accepted,
                   SUM(revenue) FILTER (WHERE cell <> 'control') AS campaign_revenue
            FROM campaigns WHERE customer_id IS NOT NULL GROUP BY customer_id),
        w AS (SELECT customer_id, COUNT(*) AS web_sessions FROM web_sessions GROUP BY customer_id)
        SELECT cu.customer_id, cu.region, cu.age_band, cu.gender, cu.acquisition_channel, cu.acquisition_date,
               o.first_order, o.last_order, COALESCE(o.orders, 0) AS orders, COALESCE(o.revenue, 0) AS revenue,
               COALESCE(o.categories, 0) AS categories,
               COALESCE(c.contacts, 0) AS contacts, COALESCE(c.contacts_web, 0) AS contacts_web,
               COALESCE(c.contacts_email, 0) AS contacts_email, COALESCE(c.contacts_sms, 0) AS contacts_sms,
               COALESCE(c.contacts_phone, 0) AS contacts_phone,
               COALESCE(c.contacts_contact_centre, 0) AS contacts_contact_centre,
               COALESCE(c.contacts_store, 0) AS contacts_store, COALESCE(c.complaints, 0) AS complaints,
               COALESCE(c.contact_cost, 0) AS contact_cost,
               COALESCE(m.offers_received, 0) AS offers_received, COALESCE(m.offers_accepted, 0) AS offers_accepted,
               COALESCE(m.campaign_revenue, 0) AS campaign_revenue, COALESCE(w.web_sessions, 0) AS web_sessions,
               cu.email_opt_in, cu.sms_opt_in, cu.loyalty_member
        FROM customers cu
        LEFT JOIN o USING (customer_id) LEFT JOIN c USING (customer_id)
        LEFT JOIN m USING (customer_id) LEFT JOIN w USING (customer_id)
        ORDER BY cu.customer_id""",
    # month by month: the KPIs of Payne's performance-assessment process
    "monthly_kpis": """
        WITH months AS (
            SELECT DATE_TRUNC('month', order_date) AS month, customer_id, amount FROM transactions),
        first_orders AS (
            SELECT customer_id, DATE_TRUNC('month', MIN(order_date)) AS first_month
            FROM transactions GROUP BY customer_id)
        SELECT m.month, COUNT(*) AS orders, SUM(m.amount) AS revenue,
               COUNT(DISTINCT m.customer_id) AS active_customers,
               COUNT(DISTINCT m.customer_id) FILTER (WHERE f.first_month = m.month) AS new_customers
        FROM months m JOIN first_orders f USING (customer_id)
        GROUP BY m.month ORDER BY m.month""",
    # consent coverage: who may be contacted on which channel (Winer's privacy step)
    "contactable_customers": """
        SELECT customer_id, email_opt_in, sms_opt_in,
               email IS NOT NULL AND email_opt_in AS can_email,
               phone IS NOT NULL AND sms_opt_in AS can_sms
        FROM customers""",
}


def _ident(name: str) -> str:
    """``name`` as a quoted SQL identifier: the one way user text enters a statement as a name.

    Doubling the double quote is the SQL standard's escape, so no name can close the
    quotes and append SQL of its own (e.g. ``amount"; DROP TABLE customers; --``).
    """
    return '"' + str(name).replace('"', '""') + '"'


def _schema() -> dict[str, dict[str, tuple]]:
    from crm_research.data.samplecompany import SCHEMA

    return {t: SCHEMA[t] for t in DATABASE_TABLES}


class CustomerDatabase:
    """An embedded DuckDB customer database with the five kinds of customer data.

    Parameters
    ----------
    path : str or path, optional
        Database file.  ``None`` (default) keeps the database in memory.
        An existing file is opened; with ``create=False`` a missing file is an
        error instead of being created.
    create : bool
        Create the file (and its tables) when it does not exist.
    read_only : bool
        Open an existing file read-only.

    Examples
    --------
    >>> import crm_research as crm
    >>> db = crm.CustomerDatabase.from_sample_company()
    >>> int(db.query("SELECT COUNT(*) AS n FROM customers")["n"].iloc[0])
    5000
    """

    def __init__(self, path: str | os.PathLike | None = None, create: bool = True, read_only: bool = False):
        import duckdb

        self.path = None if path is None else Path(path)
        if self.path is not None and not self.path.exists() and (not create or read_only):
            raise CRMInputError(
                f"The database file {str(self.path)!r} does not exist. Pass create=True to make a new one, "
                "or check the path."
            )
        try:
            self._con = duckdb.connect(":memory:" if self.path is None else str(self.path), read_only=read_only)
        except duckdb.Error as exc:  # e.g. a file that is not a DuckDB database
            raise CRMInputError(f"Could not open {str(self.path)!r} as a DuckDB database: {exc}") from None
        if not read_only:
            self._create_schema()

    # -- construction ------------------------------------------------------
    @classmethod
    @positional_options
    def from_sample_company(cls, company=None, *, path: str | os.PathLike | None = None) -> CustomerDatabase:
        """A database holding the sample company (the shipped one unless ``company`` is given)."""
        if company is None:
            from crm_research.data.datasets import load_dataset

            company = load_dataset("sample_company")
        return cls._new_loaded(path, {t: getattr(company, t) for t in DATABASE_TABLES})

    @classmethod
    @positional_options
    def from_files(
        cls,
        files: Mapping[str, str | os.PathLike],
        *,
        path: str | os.PathLike | None = None,
        columns: Mapping[str, Mapping[str, str]] | None = None,
        calendar: str = "auto",
    ) -> CustomerDatabase:
        """A database loaded from CSV or Parquet files.

        Parameters
        ----------
        files : dict
            Table name -> file (``.csv``, ``.csv.gz`` or ``.parquet``).
        path : path, optional
            Database file to write (default: in memory).
        columns : dict, optional
            Table name -> {your column name: our column name}, for files whose
            columns are named differently.
        calendar : {"auto", "gregorian", "jalali"}, default "auto"
            How text dates are read (Solar Hijri ``1403/05/12`` recognised by default);
            see :meth:`load`.
        """
        return cls._new_loaded(path, files, columns, calendar=calendar)

    @classmethod
    def _new_loaded(cls, path, tables, columns=None, calendar: str = "auto") -> CustomerDatabase:
        """A new database loaded with ``tables``; a database file this call created is removed if loading fails."""
        created = path is not None and not Path(path).exists()
        db = cls(path)
        try:
            db.load(tables, columns=columns, calendar=calendar)
        except BaseException:
            db.close()
            if created:  # leave no empty, half-built database file behind
                for leftover in (Path(path), Path(str(path) + ".wal")):
                    leftover.unlink(missing_ok=True)
            raise
        return db

    # -- schema and loading ------------------------------------------------
    def _create_schema(self) -> None:
        schema = _schema()
        for table, spec in schema.items():
            cols = ", ".join(f'"{c}" {_DUCKDB_TYPE[kind[0]]}' for c, kind in spec.items())
            self._con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
        for view, sql in _VIEWS.items():
            self._con.execute(f'CREATE OR REPLACE VIEW "{view}" AS {sql}')

    def _stage(self, table: str, source, rename: Mapping[str, str] | None) -> str:
        """Put ``source`` into a staging relation and return its name."""
        staging = f"_staging_{table}"
        rename = self._check_rename(table, rename)
        if isinstance(source, pd.DataFrame):
            frame = source.rename(columns=dict(rename or {}))  # a new frame: the caller's is untouched
            self._con.register(staging + "_df", frame)
            self._con.execute(f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT * FROM "{staging}_df"')
            self._con.unregister(staging + "_df")
        else:
            file = Path(source)
            if not file.exists():
                raise CRMInputError(f"The file for table {table!r} does not exist: {str(file)!r}.")
            suffix = "".join(file.suffixes).lower()
            if suffix.endswith((".csv", ".csv.gz", ".tsv")):
                reader = "read_csv_auto(?, all_varchar=true)"
            elif suffix.endswith(".parquet"):
                reader = "read_parquet(?)"
            else:
                raise CRMInputError(
                    f"The file for table {table!r} must be .csv, .csv.gz or .parquet. Got {file.name!r}."
                )
            self._con.execute(f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT * FROM {reader}', [str(file)])
            present = [r[0] for r in self._con.execute(f'DESCRIBE "{staging}"').fetchall()]
            for theirs, ours in (rename or {}).items():
                if theirs not in present:
                    hint = closest_names(theirs, present)
                    raise CRMInputError(
                        f"The 'columns' mapping for table {table!r} renames column {theirs!r}, which is not in "
                        f"{file.name!r}." + (f" Did you mean {hint[0]!r}?" if hint else "")
                        + f" Its columns: {examples_of(present, 12)}."
                    )
                self._con.execute(f'ALTER TABLE "{staging}" RENAME COLUMN {_ident(theirs)} TO {_ident(ours)}')
        return staging

    @staticmethod
    def _check_rename(table: str, rename) -> dict[str, str]:
        """The ``columns`` mapping of one table, checked: text to text, each target a column of the schema.

        The targets are a whitelist (the schema's column names), and the source names are
        quoted with :func:`_ident`, so no mapping can smuggle SQL into the load.
        """
        if rename is None:
            return {}
        if not isinstance(rename, Mapping):
            raise CRMInputError(
                f"The 'columns' parameter of CustomerDatabase.load must map table {table!r} to a dict "
                f"{{your column: our column}}. Got {type(rename).__name__} instead.")
        allowed = list(_schema()[table])
        for theirs, ours in rename.items():
            if not isinstance(theirs, str) or not isinstance(ours, str):
                raise CRMInputError(
                    f"The 'columns' mapping for table {table!r} must map column names (text) to column names; "
                    f"got {theirs!r} -> {ours!r}.")
            if ours not in allowed:
                hint = closest_names(ours, allowed)
                raise CRMInputError(
                    f"The 'columns' mapping for table {table!r} renames {theirs!r} to {ours!r}, which is not a "
                    f"column of the table." + (f" Did you mean {hint[0]!r}?" if hint else "")
                    + f" Its columns: {examples_of(allowed, 20)}.")
        return dict(rename)

    def _check_and_insert(self, table: str, staging: str) -> None:
        spec = _schema()[table]
        present = [r[0] for r in self._con.execute(f'DESCRIBE "{staging}"').fetchall()]
        for column, kind in spec.items():
            if column not in present:
                hint = closest_names(column, present)
                raise CRMInputError(
                    f"Table {table!r} is missing column {column!r} (expected {_DUCKDB_TYPE[kind[0]]})."
                    + (f" Did you mean {hint[0]!r}? Map it with columns={{{table!r}: {{{hint[0]!r}: {column!r}}}}}."
                       if hint else "")
                )
        # Cast column by column so an error names the column and shows offending values.
        select = []
        for column, kind in spec.items():
            target = _DUCKDB_TYPE[kind[0]]
            bad = self._con.execute(
                f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{staging}" '
                f'WHERE "{column}" IS NOT NULL AND TRY_CAST("{column}" AS {target}) IS NULL LIMIT 5'
            ).fetchall()
            if bad:
                raise CRMInputError(
                    f"Column {column!r} of table {table!r} must hold {target} values; "
                    f"found {examples_of([b[0] for b in bad])}."
                )
            if kind[0] == "id":
                n_null = self._con.execute(f'SELECT COUNT(*) FROM "{staging}" WHERE "{column}" IS NULL').fetchone()[0]
                if n_null:
                    raise CRMInputError(f"Column {column!r} of table {table!r} has {n_null} missing value(s).")
            if kind[0] == "cat" and len(kind) > 1:
                allowed = list(kind[1])
                odd = self._con.execute(
                    f'SELECT DISTINCT "{column}" FROM "{staging}" WHERE "{column}" IS NOT NULL '
                    f'AND CAST("{column}" AS VARCHAR) NOT IN (SELECT UNNEST(?)) LIMIT 5', [allowed]
                ).fetchall()
                if odd:
                    raise CRMInputError(
                        f"Column {column!r} of table {table!r} has value(s) {examples_of([o[0] for o in odd])} "
                        f"outside the allowed {examples_of(allowed, 12)}."
                    )
            select.append(f'CAST("{column}" AS {target}) AS "{column}"')
        key = PRIMARY_KEYS[table]
        keys = ", ".join(f'"{k}"' for k in key)
        dupes = self._con.execute(
            f'SELECT {keys}, COUNT(*) AS n FROM "{staging}" GROUP BY ALL HAVING COUNT(*) > 1 LIMIT 5'
        ).fetchall()
        if dupes:
            n = self._con.execute(
                f'SELECT COUNT(*) FROM (SELECT {keys} FROM "{staging}" GROUP BY ALL HAVING COUNT(*) > 1)'
            ).fetchone()[0]
            shown = [d[0] if len(key) == 1 else tuple(d[:-1]) for d in dupes]
            raise CRMInputError(
                f"Table {table!r} has {n} duplicate primary key value(s) in column(s) {', '.join(key)}: "
                f"{examples_of(shown)}. Each row must have its own key."
            )
        self._con.execute(f'DELETE FROM "{table}"')
        self._con.execute(f'INSERT INTO "{table}" SELECT {", ".join(select)} FROM "{staging}"')
        self._con.execute(f'DROP TABLE "{staging}"')

    def _read_calendar(self, table: str, staging: str, calendar: str) -> None:
        """Rewrite the text or integer date columns of ``staging`` as Gregorian dates, by the calendar rule."""
        from crm_research.core.transactions import check_date_column

        types = dict(self._con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{staging}")').fetchall())
        for column, kind in _schema()[table].items():
            if kind[0] != "date" or column not in types or types[column].startswith(("DATE", "TIMESTAMP")):
                continue
            text = self._con.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{staging}" '
                                     f'WHERE "{column}" IS NOT NULL').fetchdf().iloc[:, 0]
            values = text if not types[column].endswith("INT") else text.astype("int64")
            dates = check_date_column(values, f"Column {column!r} of table {table!r}", calendar)
            mapping = pd.DataFrame({"t": text.to_numpy(), "d": dates.dt.date.to_numpy()})
            self._con.register("_calendar_map", mapping)
            self._con.execute(
                f'CREATE OR REPLACE TEMP TABLE "{staging}" AS SELECT s.* REPLACE (m.d AS "{column}") '
                f'FROM "{staging}" s LEFT JOIN _calendar_map m ON CAST(s."{column}" AS VARCHAR) = m.t')
            self._con.unregister("_calendar_map")

    def _check_foreign_keys(self) -> None:
        for (table, column), parent in FOREIGN_KEYS.items():
            orphans = self._con.execute(
                f'SELECT DISTINCT t."{column}" FROM "{table}" t LEFT JOIN "{parent}" p ON t."{column}" = p."{column}" '
                f'WHERE t."{column}" IS NOT NULL AND p."{column}" IS NULL LIMIT 5'
            ).fetchall()
            if orphans:
                raise CRMInputError(
                    f"Column {column!r} of table {table!r} refers to {parent} not in table {parent!r}: "
                    f"{examples_of([o[0] for o in orphans])}. Load the matching {parent} first."
                )

    def load(
        self,
        tables: Mapping[str, object],
        columns: Mapping[str, Mapping[str, str]] | None = None,
        *,
        calendar: str = "auto",
    ) -> CustomerDatabase:
        """Load (replace) tables from DataFrames or CSV/Parquet files, all or nothing.

        Parameters
        ----------
        tables : dict
            Table name (one of :data:`DATABASE_TABLES`) -> DataFrame or file path.
        columns : dict, optional
            Table name -> {source column: schema column} renames.
        calendar : {"auto", "gregorian", "jalali"}, default "auto"
            How date columns written as text or yyyymmdd integers are read, by the
            rule of :mod:`crm_research.core.calendar`: by default Solar Hijri dates
            (``1403/05/12``, Persian digits allowed) are recognised by their year and
            stored as Gregorian dates; a column mixing calendars is an error.

        Raises
        ------
        CRMInputError
            Unknown table, missing file, missing column, uncastable value,
            duplicate primary key or orphan customer reference.  The database
            is left as it was before the call.
        """
        if not isinstance(tables, Mapping) or not tables:
            raise CRMInputError(
                "The 'tables' parameter of CustomerDatabase.load must be a non-empty dict of table name to "
                f"DataFrame or file path. Got {type(tables).__name__} instead."
            )
        # check_choice is case-insensitive and returns the schema's spelling ("Customers" -> "customers")
        given = {table: check_choice(table, "tables", DATABASE_TABLES, func="CustomerDatabase.load")
                 for table in tables}
        columns = {given.get(t, t) if isinstance(t, str) else t: m for t, m in dict(columns or {}).items()}
        self._con.execute("BEGIN TRANSACTION")
        try:
            for name, source in tables.items():
                table = given[name]
                staging = self._stage(table, source, columns.get(table, columns.get(name)))
                self._read_calendar(table, staging, calendar)
                self._check_and_insert(table, staging)
            self._check_foreign_keys()
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")
        return self

    # -- reading -------------------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL and return the result as a DataFrame."""
        import duckdb

        try:
            return self._con.execute(sql, params or []).df()
        except duckdb.Error as exc:
            raise CRMInputError(f"The query failed: {exc}") from None

    def table(self, name: str) -> pd.DataFrame:
        """A whole table or view as a DataFrame."""
        check_choice(name, "name", self.tables + self.views, func="CustomerDatabase.table")
        return self.query(f'SELECT * FROM "{name}"')

    def customer_overview(self) -> pd.DataFrame:
        """One row per customer: orders, revenue, contacts by channel, campaign responses, consent."""
        return self.table("customer_overview")

    @property
    def tables(self) -> list[str]:
        return list(DATABASE_TABLES)

    @property
    def views(self) -> list[str]:
        return list(_VIEWS)

    @property
    def connection(self):
        """The underlying DuckDB connection, for analyses written in SQL."""
        return self._con

    def row_counts(self) -> pd.Series:
        """Number of rows of each table."""
        return pd.Series(
            {t: self._con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in DATABASE_TABLES},
            name="rows",
        )

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> CustomerDatabase:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "in memory" if self.path is None else str(self.path)
        return f"CustomerDatabase({where}; " + ", ".join(f"{t}={n:,}" for t, n in self.row_counts().items()) + ")"
