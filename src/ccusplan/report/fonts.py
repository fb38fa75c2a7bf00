"""Fonts for the figures: DejaVu Sans (matplotlib's own) with a CJK font behind it, so
that site names in Chinese (or Japanese, Korean) are drawn rather than shown as boxes.

The CJK font is the first of :data:`CJK_FAMILIES` installed on the machine (Noto Sans CJK,
WenQuanYi, Microsoft YaHei, PingFang, …), found among matplotlib's known fonts or, for a
font installed after matplotlib built its font cache, among the system's font files.
Without one, names keep their boxes and one note says what to install; matplotlib's
per-glyph warnings (and its log lines about a CJK font without bold) never reach the
terminal.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import warnings

#: Font families with Chinese characters, best first (matplotlib falls back glyph by glyph).
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
    "Hiragino Sans GB", "Heiti SC", "SimHei", "Droid Sans Fallback", "AR PL UMing CN",
    "Noto Sans CJK JP", "Noto Sans CJK TC",
)
#: File names of those fonts, for a font matplotlib's cache does not know yet.
CJK_FILES = re.compile(r"(NotoSans(Mono)?CJK|NotoSansSC|SourceHanSans|wqy-(microhei|zenhei)|"
                       r"msyh|PingFang|Hiragino Sans GB|STHeiti|simhei|DroidSansFallback|"
                       r"uming)", re.IGNORECASE)
MISSING_NOTE = ("note: no installed font has Chinese (CJK) characters, so names written in "
                "them show as boxes in the figures; install one (Debian/Ubuntu: "
                "apt install fonts-noto-cjk) and run again")
_noted = False


@functools.cache
def cjk_family() -> str | None:
    """The CJK font family the figures fall back to, or None when the machine has none."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((f for f in CJK_FAMILIES if f in names), None)

    found = known()
    if found is None:
        for path in font_manager.findSystemFonts():
            if CJK_FILES.search(path):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = known()
    return found


def families() -> list[str]:
    """``font.family`` for the figures: DejaVu Sans, then the CJK font if there is one."""
    cjk = cjk_family()
    return ["DejaVu Sans"] + ([cjk] if cjk else [])


def with_fonts(draw):
    """Draw a figure with :func:`families`; a glyph no font has is noted once per process
    (:data:`MISSING_NOTE` on stderr), never warned about glyph by glyph."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        global _noted
        from matplotlib import rc_context

        log = logging.getLogger("matplotlib.font_manager")  # "no bold in the CJK font"
        level = log.level
        log.setLevel(logging.ERROR)
        try:
            with rc_context({"font.family": families()}), \
                    warnings.catch_warnings(record=True) as caught:
                warnings.filterwarnings("always", message=r"Glyph \d+ .* missing from font")
                out = draw(*args, **kwargs)
        finally:
            log.setLevel(level)
        missing = False
        for w in caught:
            if re.search(r"Glyph \d+ .* missing from font", str(w.message)):
                missing = True
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if missing and not _noted:
            _noted = True
            print(MISSING_NOTE, file=sys.stderr)
        return out

    return wrapper
