"""One command from a questionnaire study file to a thesis-ready analysis chapter.

``crm.report("study.yaml")`` (or ``crm-research report study.yaml``) reads
the study file (:mod:`crm_research.data.study`), runs the whole analysis through
the toolkit's public API (:mod:`.sections`) and writes, under the output
folder, the chapter as a Word document (:mod:`.docx_writer`), the same
content as a self-contained HTML page (:mod:`.html_writer`), every table as
CSV (:mod:`.tables`) and every figure as PNG.  Wording in English or Persian
lives in :mod:`.texts`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_bool, check_choice, check_int

if TYPE_CHECKING:
    from crm_research.data.study import Study
    from crm_research.pls import PLSResult
    from crm_research.report.sections import Chapter
    from crm_research.sem import SEMResult

__all__ = ["report", "ThesisReport"]

_MARKER = ".crm_report"  # marks a folder written by report(), which a later run may replace


@dataclasses.dataclass(repr=False, eq=False)
class ThesisReport(Result):
    """What :func:`report` wrote, and the fitted results behind it.

    Attributes
    ----------
    out : pathlib.Path
        The output folder.
    docx, html : pathlib.Path
        The chapter as a Word document and as one self-contained HTML page.
    csv : list of pathlib.Path
        One CSV per table, in chapter order (``tables/table_NN_key.csv``).
    figures : list of pathlib.Path
        The figures as PNG (``figures/figure_NN_key.png``).
    tables : dict
        Table key -> the numbers of the table (DataFrame), as written to CSV.
    chapter : Chapter
        The chapter's blocks (headings, paragraphs, tables, figures).
    study : Study
        The validated study.
    sem, cfa : SEMResult or None
        The structural model (with its bootstrap) and the measurement model (CB-SEM studies).
    pls : PLSResult or None
        The PLS-SEM fit (``estimator: PLS-SEM`` studies).
    hypotheses : pandas.DataFrame
        :func:`crm_research.hypotheses` of the structural model.
    reliability, fornell_larcker, htmt : pandas.DataFrame
        As returned by the toolkit's functions of the same names.
    item_descriptives, mardia : Result
    lang : str
    analysis_warnings : list of str
        Warnings of the analyses, as printed in the chapter.
    """

    title: ClassVar[str] = "Thesis report"
    out: Path
    docx: Path
    html: Path
    csv: list[Path]
    figures: list[Path]
    tables: dict[str, pd.DataFrame]
    chapter: Chapter
    study: Study
    lang: str
    sem: SEMResult | None
    cfa: SEMResult | None
    pls: PLSResult | None
    hypotheses: pd.DataFrame
    reliability: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    item_descriptives: Result
    mardia: Result
    analysis_warnings: list[str]

    def to_frame(self) -> pd.DataFrame:
        """The hypotheses table."""
        return self.hypotheses.copy()

    def _summary_tables(self):
        return [(f"Table {t.number}. {t.title}", t.data) for t in self.chapter.tables
                if t.key in ("cfa_fit", "reliability", "sem_fit", "hypotheses")] + [
            ("Files written", pd.DataFrame({"file": [str(p) for p in [self.docx, self.html]]}))]

    def plot(self, ax=None):
        """The path diagram of the structural model (standardized estimates)."""
        return (self.sem if self.sem is not None else self.pls).plot(ax=ax)


def _check_target(target: Path) -> None:
    """Refuse an unusable output folder before the analysis (which can take minutes), not after it."""
    if target.exists():
        if not target.is_dir():
            raise CRMInputError(f"The 'out' parameter of report must be a folder; {str(target)!r} is a file.")
        if any(target.iterdir()) and not (target / _MARKER).exists():
            raise CRMInputError(
                f"The output folder {str(target)!r} exists and was not written by crm-research report; "
                "choose a new or empty folder (an earlier report folder is replaced as a whole).")
    # the report is built next to the target and renamed into place: the folder that will hold it must
    # be writable (probed by creating and removing a folder, which also catches read-only mounts)
    holder = target.parent
    while not holder.exists() and holder != holder.parent:
        holder = holder.parent
    try:
        if not holder.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(holder))
        Path(tempfile.mkdtemp(prefix=f".{target.name}.probe-", dir=holder)).rmdir()
        if target.exists() and not os.access(target, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied", str(target))
    except OSError as exc:
        raise _write_error(exc, target) from None


def _write_error(exc: OSError, target: Path) -> CRMInputError:
    """A clear message for a file-system failure while checking or writing the report folder."""
    import errno

    cause = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
             errno.EACCES: "permission denied (the folder is read-only for you)",
             errno.EPERM: "permission denied", errno.EROFS: "the file system is read-only"}.get(
        exc.errno, exc.strerror or str(exc))
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return CRMInputError(
        f"The report cannot be written into {str(target)!r}: {cause}{where}. Nothing was published and no "
        "earlier report there was changed; free space, fix the permissions or choose another folder with --out.")


@contextlib.contextmanager
def _publish_lock(target: Path):
    """Hold ``.<name>.lock`` next to the target, so two reports never write into one folder at once.

    The lock is taken before the analysis, so the second report is refused at once.  Holding it,
    leftovers of a killed earlier run into the same target (``.<name>.tmp-*`` and ``.<name>.old-*``
    folders) can be removed safely, and an earlier report swapped out but not yet replaced is restored.
    """
    created = []
    folder = target.parent
    while not folder.exists():
        created.append(folder)
        folder = folder.parent
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, target) from None
    path = target.parent / f".{target.name}.lock"
    busy = CRMInputError(
        f"Another crm-research report is being written into {str(target)!r} right now; wait for it to finish "
        f"or choose another folder with --out. (If no report is running, delete {str(path)!r}.)")
    try:
        import fcntl
    except ImportError:  # Windows: an exclusively created file is the lock
        fcntl = None
    try:
        while True:
            if fcntl is None:
                try:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    raise busy from None
                break
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise busy from None
            # the previous holder may have removed the file between our open and flock: lock the new one
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
    except OSError as exc:
        raise _write_error(exc, target) from None
    try:
        _clean_leftovers(target)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)
        for folder in created:  # parents made for a report that was never published
            if not target.exists():
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _clean_leftovers(target: Path) -> None:
    """Remove the hidden folders a killed run into ``target`` left behind (the caller holds the lock)."""
    for old in sorted(target.parent.glob(f".{glob.escape(target.name)}.old-*")):
        previous = old / "previous"
        if previous.is_dir() and not target.exists():  # killed between the two renames of _publish
            with contextlib.suppress(OSError):
                os.replace(previous, target)
        shutil.rmtree(old, ignore_errors=True)
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.probe-*"):
        with contextlib.suppress(OSError):
            leftover.rmdir()




def _write_all(chapter, study, folder: Path) -> None:
    from crm_research.report.docx_writer import write_docx
    from crm_research.report.html_writer import write_html
    from crm_research.report.tables import write_csv_tables

    write_docx(chapter, folder / "report.docx")
    write_html(chapter, folder / "report.html")
    write_csv_tables(chapter, folder / "tables")
    figures = folder / "figures"
    figures.mkdir()
    for fig in chapter.figures:
        (figures / f"figure_{fig.number:02d}_{fig.key}.png").write_bytes(fig.png)
    # the study file and the model travel with the report, so the folder alone reproduces it
    shutil.copyfile(study.path, folder / "study.yaml")
    (folder / "model.lav").write_text(study.model, encoding="utf-8")
    (folder / _MARKER).write_text("written by crm_research.report\n", encoding="utf-8")


def _publish(tmp: Path, target: Path) -> None:
    """Move the finished folder into place; an older report folder is swapped out, then removed."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / "previous")
        try:
            os.replace(tmp, target)
        except BaseException:
            os.replace(old / "previous", target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)


@positional_options
def report(study, *, out=None, lang=None, bootstrap=None, progress=True) -> ThesisReport:
    """Write the analysis chapter of a questionnaire study: DOCX, HTML, CSV tables and figures.

    Parameters
    ----------
    study : str, path-like or Study
        A study file (YAML, see :func:`crm_research.data.study.load_study`) or a
        loaded :class:`~crm_research.data.study.Study`.
    out : str or path-like, optional
        Output folder; overrides the study's ``output``.  A folder written by
        an earlier run is replaced; any other non-empty folder is refused.
    lang : {"en", "fa"}, optional
        Language of the report; overrides the study's ``language``.
    bootstrap : int, optional
        Number of bootstrap resamples; overrides the study's
        ``bootstrap.resamples``.  In fast mode (``CRM_FAST=1``, see
        :func:`crm_research.fast_mode`) the study's number is capped at 100.
    progress : bool, default True
        Print each step, and the bootstrap's progress bar, to stderr.

    Returns
    -------
    ThesisReport
        Paths of the files written, every table's numbers, and the fitted
        results (``sem``, ``cfa``, ``hypotheses``, ...).

    Raises
    ------
    CRMInputError
        A study file mistake (with line and key), unreadable data, an answer
        outside the scale, an output folder that is a file or not a report
        folder.

    Notes
    -----
    The chapter: introduction; (4.1) sample and missing data with
    demographic tables and charts; (4.2) item and construct descriptives,
    Mardia's tests and the estimator they imply (MLR when normality is
    rejected), construct means against the scale midpoint, the Friedman
    ranking and the group comparisons of ``group_comparisons``; (4.3) the
    measurement model: CFA fit (robust indices under MLR) with Hu and
    Bentler's (1999) criteria, loadings, alpha / omega / CR / AVE,
    Fornell-Larcker and HTMT, common-method bias; (4.4) the structural
    model: path diagram, coefficients, R², f² and VIF, indirect effects with
    their mediation type and the hypotheses table -- for ``estimator:
    PLS-SEM`` the SmartPLS chapter with Q² (blindfolding, PLSpredict), GoF
    with its caveat, and IPMA / MGA when the study names ``ipma`` / ``mga``;
    (4.5) summary; (4.6) method notes with the references cited.  Every
    number comes from the toolkit's public functions (``crm.item_descriptives``,
    ``crm.mardia``, ``crm.one_sample_test``, ``crm.friedman_ranking``,
    ``crm.compare_groups``, ``crm.cfa``, ``crm.construct_reliability``,
    ``crm.fornell_larcker``, ``crm.htmt``, ``crm.common_method_bias``,
    ``crm.sem``, ``crm.hypotheses``, ``crm.pls_sem``, ``crm.ipma``,
    ``crm.micom``, ``crm.pls_mga``).

    The output is atomic: everything is written into a temporary folder next
    to the target and moved into place with :func:`os.replace` only when all
    files are complete, so a failed run leaves no half-written document.
    With the same seed, two runs give identical numbers.

    References
    ----------
    American Psychological Association (2020). *Publication manual of the
    American Psychological Association* (7th ed.): tables (ch. 7).
    Fornell, C., & Larcker, D. F. (1981). *Journal of Marketing Research*, 18(1), 39-50.
    Hu, L., & Bentler, P. M. (1999). *Structural Equation Modeling*, 6(1), 1-55.
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). *Journal of the Academy of
    Marketing Science*, 43(1), 115-135.
    Hair, J. F., Black, W. C., Babin, B. J., & Anderson, R. E. (2019).
    *Multivariate data analysis* (8th ed.). Cengage.

    Examples
    --------
    >>> import tempfile
    >>> import crm_research as crm
    >>> with tempfile.TemporaryDirectory() as folder:  # a thesis keeps the study's 1000 resamples
    ...     rep = crm.report(crm.dataset_path("ecrm_survey_study.yaml"), out=f"{folder}/report",
    ...                      bootstrap=0, progress=False)
    ...     print(rep.docx.name, rep.html.name, rep.docx.is_file())
    report.docx report.html True
    >>> rep.hypotheses[["hypothesis", "path", "beta"]].head(3).round(2)
      hypothesis       path  beta
    0         H1  SAT ~ OPR  0.37
    1         H2  SAT ~ ANL  0.20
    2         H3  SAT ~ EMP  0.07
    """
    from crm_research.core.fastmode import fast_mode
    from crm_research.data.study import Study, load_study
    from crm_research.report.sections import build_chapter

    func = "report"
    progress = check_bool(progress, "progress", func)
    if isinstance(study, Study):
        pass
    elif isinstance(study, (str, os.PathLike)):
        study = load_study(study)
    else:
        raise CRMInputError(f"The 'study' parameter of report must be a study file path or a Study. "
                            f"Got {type(study).__name__} instead.")
    # overrides go into a copy: the caller's Study is not modified
    if lang is not None:
        study = dataclasses.replace(study, language=check_choice(lang, "lang", ["en", "fa"], func))
    if bootstrap is not None:
        bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
        if 0 < bootstrap < 10:
            raise CRMInputError(f"The 'bootstrap' parameter of report must be 0 or at least 10. Got {bootstrap}.")
        study = dataclasses.replace(study, bootstrap=bootstrap)
    elif fast_mode():
        study = dataclasses.replace(study, bootstrap=min(study.bootstrap, 100))
    target = Path(out).resolve() if out is not None else study.output
    _check_target(target)

    with _publish_lock(target):
        # all the analysis happens before anything is written: a failure here leaves no files at all
        chapter = build_chapter(study, progress=progress)

        tmp = None
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
            # mkdtemp makes a private (0700) folder; the published report gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)
            _write_all(chapter, study, tmp)
            _publish(tmp, target)
        except BaseException as exc:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    shutil.rmtree(tmp)
            if isinstance(exc, OSError):  # a full disk, a folder made read-only meanwhile ...
                raise _write_error(exc, target) from None
            raise
    if progress:
        import sys

        print(f"Report written to {target}", file=sys.stderr, flush=True)
    r = chapter.results
    from crm_research.report.tables import table_file_name

    return ThesisReport(
        out=target, docx=target / "report.docx", html=target / "report.html",
        csv=[target / "tables" / table_file_name(t.number, t.key) for t in chapter.tables],
        figures=[target / "figures" / f"figure_{f.number:02d}_{f.key}.png" for f in chapter.figures],
        tables={t.key: t.data for t in chapter.tables}, chapter=chapter, study=study, lang=chapter.lang,
        sem=r["sem"], cfa=r["cfa"], pls=r["pls"], hypotheses=r["hypotheses"], reliability=r["reliability"],
        fornell_larcker=r["fornell_larcker"], htmt=r["htmt"], item_descriptives=r["item_descriptives"],
        mardia=r["mardia"], analysis_warnings=r["warnings"],
    )
