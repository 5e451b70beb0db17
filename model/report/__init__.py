"""What people look at: figures, the budget workbook and the HTML report of a run."""


def write_all(results, scenario, folder, lang: str = "en", svg: bool = False) -> None:
    """Write every figure, ``budget.xlsx`` and ``report.html`` of a run into ``folder``."""
    return None
