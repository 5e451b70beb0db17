"""Finding a font that can draw Chinese labels on figures.

matplotlib's default font (DejaVu Sans) has no CJK glyphs: Chinese text would come out
as empty boxes. :func:`cjk_font` looks for a CJK family that matplotlib knows, then for
CJK font files on the machine that its font cache has not seen yet (a font installed
after the cache was built). :func:`figure_language` turns ``lang="zh"`` into ``"en"``
with one :class:`MissingCJKFontWarning` when there is none, so figures fall back to
English labels rather than boxes.
"""

from __future__ import annotations

import functools
import re
import warnings

from matplotlib import font_manager

# Simplified-Chinese faces first: the same glyph can differ between SC, TC and JP faces.
FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Serif CJK SC", "Source Han Serif SC",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB",
    "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback",
    "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR", "Noto Sans CJK HK",
)
_FILES = re.compile(r"(notosanscjk|notoserifcjk|notosanssc|sourcehan|wqy|wenquanyi|droidsansfallback"
                    r"|simhei|msyh|pingfang|uming|ukai)", re.IGNORECASE)

HOW_TO_GET_ONE = ("no Chinese (CJK) font found for figures, so figures use English labels; "
                  "install one, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu) or "
                  "`dnf install google-noto-sans-cjk-fonts`, then run again "
                  "(the workbook and report.html keep Chinese labels)")


class MissingCJKFontWarning(UserWarning):
    """No font able to draw Chinese was found; figures fall back to English."""


def _known() -> dict[str, str]:
    return {f.name: f.fname for f in font_manager.fontManager.ttflist}


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font family that draws Chinese, or None.

    Looks first among the families matplotlib has cached, then registers CJK font
    files found on the machine that the cache does not list yet. The answer is kept
    for the session (``cjk_font.cache_clear()`` after installing a font).
    """
    known = _known()
    for fam in FAMILIES:
        if fam in known:
            return fam
    added = False
    for path in font_manager.findSystemFonts():
        if _FILES.search(path.replace("-", "").replace("_", "")):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):
                continue
    if added:
        known = _known()
        for fam in FAMILIES:
            if fam in known:
                return fam
    return None


def figure_language(lang: str, font_finder=None) -> tuple[str, str | None]:
    """The language figures can be drawn in, and the CJK font to draw it with.

    Parameters
    ----------
    lang : {"en", "zh"}
    font_finder : callable, optional
        Returns a CJK family name or None (default :func:`cjk_font`, looked up at call
        time so a test can replace it).

    Returns
    -------
    (lang, font) : tuple
        ``("zh", family)`` when a CJK font exists; otherwise ``("en", None)``, after one
        :class:`MissingCJKFontWarning` if Chinese was asked for.
    """
    if lang != "zh":
        return "en", None
    fam = (font_finder or cjk_font)()
    if fam is None:
        warnings.warn(HOW_TO_GET_ONE, MissingCJKFontWarning, stacklevel=3)
        return "en", None
    return "zh", fam
