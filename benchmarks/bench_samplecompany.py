"""Generating the sample company (fully vectorised NumPy): the default size and one million orders."""

import crm_research as crm


def _generate(n_customers, n_orders):
    def run():
        company = crm.generate_sample_company(n_customers=n_customers, n_orders=n_orders, seed=2001)
        return len(company.transactions)

    return run


BENCHMARKS = [
    ("generate_sample_company (default size)", "5,000 customers, 50k orders", _generate(5_000, 50_000)),
    ("generate_sample_company (large)", "100,000 customers, 1M orders", _generate(100_000, 1_000_000)),
]
