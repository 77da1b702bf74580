"""Loading the bundled public datasets: catalogue, CSV parsing and dtype conversion.

Each run clears the catalogue cache first, so the YAML is parsed every time, as in a
fresh notebook kernel.
"""

from crm_research import datasets


def _loader(name):
    def load():
        datasets._catalog.cache_clear()
        return len(datasets.load_dataset(name))

    return load


def _list():
    datasets._catalog.cache_clear()
    return len(datasets.list_datasets())


BENCHMARKS = [
    ("datasets: list_datasets (parse the catalogue)", "all entries", _list),
    ("datasets: load holzinger1939", "301 x 15", _loader("holzinger1939")),
    ("datasets: load political_democracy", "75 x 11", _loader("political_democracy")),
    ("datasets: load cdnow_transactions (csv.gz, dates)", "69,659 x 4", _loader("cdnow_transactions")),
    ("datasets: load cdnow_summary", "2,357 x 6", _loader("cdnow_summary")),
    ("datasets: load mobi", "250 x 24", _loader("mobi")),
    ("datasets: load corp_rep", "344 x 41", _loader("corp_rep")),
]
