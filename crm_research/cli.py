"""The ``crm-research`` command.

    crm-research notebooks [--out build] [--fast] [--only 00 06] [--lang en|fa|all]
        Execute the notebook series headless and write rendered HTML plus an
        index page under the output folder; --lang fa renders the Persian
        edition (notebooks/fa, under OUT/fa, right-to-left index), --lang all
        both editions.
    crm-research datasets
        List the bundled datasets.
    crm-research report STUDY.yaml [--out DIR] [--lang en|fa]
        Write the analysis chapter of a questionnaire study (DOCX, HTML,
        CSV tables, figures); the options override the study file.
    crm-research init DATA.sav [--out STUDY.yaml]
        Draft a commented study file from a data file (.sav, .csv, .xlsx):
        items grouped by prefix, reverse-worded candidates, demographics.
    crm-research report --example [--out DIR]
        The same for the bundled sample study (the e-CRM survey), from any
        folder; the report goes to DIR (default: build/report here).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from crm_research.core.errors import CRMInputError


def _cmd_notebooks(args) -> int:
    from crm_research.notebooks import build_notebooks

    edition = {"en": "", "fa": " (Persian edition)", "all": " (English and Persian editions)"}[args.lang]
    print(f"Executing the notebook series{edition}{' in fast mode' if args.fast else ''} ...", flush=True)
    start = time.perf_counter()
    runs = build_notebooks(out=args.out, fast=args.fast, only=args.only, lang=args.lang)
    out = Path(args.out).resolve()
    print(f"Rendered {len(runs)} notebooks in {time.perf_counter() - start:.0f} s.")
    # the English index links to the Persian one when both were built
    print(f"Open {out / 'fa' / 'index.html' if args.lang == 'fa' else out / 'index.html'}")
    return 0


def _cmd_datasets(args) -> int:
    import pandas as pd

    from crm_research.data.datasets import list_datasets

    with pd.option_context("display.max_colwidth", 60, "display.width", 160):
        print(list_datasets()[["name", "title", "rows", "columns", "licence"]].to_string(index=False))
    return 0


#: where ``report --example`` writes when no --out is given: the current folder, never the installed package
EXAMPLE_OUT = Path("build") / "report"


def _cmd_report(args) -> int:
    from crm_research.report import report

    if args.example == (args.study is not None):
        given = "both" if args.example else "neither"
        raise CRMInputError(f"crm-research report needs a study file or --example (the bundled sample study), "
                            f"one of the two. Got {given}.")
    study, out = args.study, args.out
    if args.example:
        from crm_research.data.datasets import dataset_path

        # the study file names its data and model relative to itself, so it is read in place (inside
        # the installed package or the clone), while its own 'output' (../build/report) is replaced
        study = dataset_path("ecrm_survey_study.yaml")
        out = Path(out) if out is not None else EXAMPLE_OUT
    start = time.perf_counter()
    result = report(study, out=out, lang=args.lang, bootstrap=args.bootstrap)
    print(f"Wrote the {'Persian' if result.lang == 'fa' else 'English'} report in "
          f"{time.perf_counter() - start:.0f} s to {result.out}")
    print(f"  Word: {result.docx}")
    print(f"  HTML: {result.html}")
    print(f"  {len(result.csv)} tables (CSV) in {result.out / 'tables'}, {len(result.figures)} figures in "
          f"{result.out / 'figures'}")
    return 0


def _cmd_init(args) -> int:
    from crm_research.report.studyfile import init_study

    path = init_study(args.data, out=args.out)
    print(f"Wrote {path}")
    print("Check it, write the structural model and the hypotheses, then run")
    print(f"  crm-research report {path}")
    return 0


def _cmd_course(args) -> int:
    from crm_research.course.build import build_course

    start = time.perf_counter()
    pack = build_course(args.out, seeds=args.seeds, slides=not args.no_slides, overwrite=args.overwrite)
    print(f"Wrote the course pack in {time.perf_counter() - start:.0f} s to {pack.out}")
    print(f"  {len(pack.student)} student notebooks, {len(pack.solutions)} solution notebooks, "
          f"{len(pack.slides)} slide decks, {len(pack.datasets)} personal datasets")
    if pack.answer_key is not None:
        print(f"  answer key (instructor only): {pack.answer_key}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-research", description="crm_research: CRM research and teaching toolkit")
    sub = parser.add_subparsers(dest="command", required=True)

    nb = sub.add_parser("notebooks", help="execute the notebook series and render it to HTML")
    nb.add_argument("--out", default="build", help="output folder (default: build)")
    nb.add_argument("--fast", action="store_true", help="fewer resamples in heavy steps")
    nb.add_argument("--only", nargs="+", metavar="NN", help="only notebooks whose name starts with these")
    nb.add_argument("--lang", choices=["en", "fa", "all"], default="en",
                    help="edition: English (notebooks/), Persian (notebooks/fa, written under OUT/fa) or all "
                         "(default: en)")
    nb.set_defaults(func=_cmd_notebooks)

    ds = sub.add_parser("datasets", help="list the bundled datasets")
    ds.set_defaults(func=_cmd_datasets)

    rp = sub.add_parser("report", help="write the analysis chapter of a study file (DOCX, HTML, CSV)")
    rp.add_argument("study", nargs="?", help="the study file (YAML), e.g. datasets/ecrm_survey_study.yaml")
    rp.add_argument("--example", action="store_true",
                    help=f"report on the bundled sample study (default --out: {EXAMPLE_OUT})")
    rp.add_argument("--out", default=None, help="output folder (default: the study's 'output')")
    rp.add_argument("--lang", choices=["en", "fa"], default=None, help="report language (default: the study's)")
    rp.add_argument("--bootstrap", type=int, default=None, metavar="B",
                    help="bootstrap resamples (default: the study's)")
    rp.set_defaults(func=_cmd_report)

    ini = sub.add_parser("init", help="draft a commented study file from a data file (.sav, .csv, .xlsx)")
    ini.add_argument("data", help="the questionnaire data file")
    ini.add_argument("--out", default=None, help="the study file to write (default: <data>_study.yaml)")
    ini.set_defaults(func=_cmd_init)

    co = sub.add_parser("course", help="write the student pack, the solutions pack, slides and personal datasets")
    co.add_argument("--out", required=True, help="output folder (created; see --overwrite)")
    co.add_argument("--seeds", default=None, metavar="CSV",
                    help="class list with the columns student and seed: one personal dataset per student")
    co.add_argument("--no-slides", action="store_true", help="do not write the reveal.js slides")
    co.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    co.set_defaults(func=_cmd_course)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CRMInputError as exc:
        print(f"crm-research: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the toolkit did not expect to fail (unreadable, full disk, ...)
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"crm-research: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except MemoryError:
        print("crm-research: error: out of memory; the data or the requested bootstrap is too large for this "
              "machine.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("crm-research: interrupted; nothing was published.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
