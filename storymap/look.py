"""A story's house style: the base map's style (light, dark, muted) and an accent colour.

Both are kept in the story file (``storymap.style`` and ``storymap.accent``, see
docs/story-file.md) and applied by the page as CSS variables (``static/storymap.css`` reads
them): the offline base map's land, sea, borders and place names, the panel's paper and ink,
and the accent on the route, the stop markers, the itinerary and the play button. Every
style is drawn from the page's own offline base map; none loads anything.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

from storymap.errors import StoryError
from storymap.storyfile import ACCENT, MapStyle, Story, StoryData, as_story, update

STYLES = tuple(str(s) for s in MapStyle)


@dataclass(frozen=True, slots=True)
class Palette:
    """The colours of one base-map style (CSS values), and the accent it suggests."""

    accent: str
    sea: str
    land: str
    border: str
    coast: str
    ink: str
    muted: str
    paper: str
    rule: str
    mention: str
    surface: str
    hover: str
    line: str
    label: str
    mark: str
    focus: str
    name_country: str
    name_water: str
    name_city: str
    name_town: str
    name_dot: str
    scheme: str = "light"


PALETTES = MappingProxyType({
    MapStyle.LIGHT: Palette(
        accent="#b3202e", sea="#d4e2ea", land="#f4f1e8", border="#a9a195", coast="#8fa9b8", ink="#1d232a",
        muted="#5c6670", paper="#ffffff", rule="#e3e0d8", mention="#5f6f80", surface="#ffffff", hover="#f5f3ee",
        line="#c9c4b8", label="rgba(255, 255, 255, 0.88)", mark="#fde68a", focus="#1a5fb4",
        name_country="#8a8273", name_water="#4f7890", name_city="#2f3439", name_town="#555d64", name_dot="#59616a"),
    MapStyle.DARK: Palette(
        accent="#f0604d", sea="#17212b", land="#2a323c", border="#5f6a77", coast="#3d5364", ink="#e7eaee",
        muted="#a0aab5", paper="#12181f", rule="#2f3944", mention="#8d9db0", surface="#1d252f", hover="#283240",
        line="#3e4956", label="rgba(18, 24, 31, 0.86)", mark="#6e5710", focus="#8ab8ff",
        name_country="#9aa4b0", name_water="#7e9eb6", name_city="#d9dee4", name_town="#b1b9c2", name_dot="#c3cad2",
        scheme="dark"),
    MapStyle.MUTED: Palette(
        accent="#35688a", sea="#e3e7ea", land="#f8f8f6", border="#c6c6c0", coast="#b7c1c8", ink="#2a2e33",
        muted="#6a7178", paper="#fbfbfa", rule="#e5e5e1", mention="#7c8690", surface="#ffffff", hover="#f0f0ee",
        line="#d0d0cb", label="rgba(251, 251, 250, 0.9)", mark="#f0e2a8", focus="#2f5f9e",
        name_country="#9b9b95", name_water="#8298a7", name_city="#4a4f55", name_town="#6d737a", name_dot="#7e858b"),
})
DEFAULT_STYLE = MapStyle.LIGHT


@dataclass(frozen=True, slots=True)
class Look:
    """A story's style and accent, resolved: ``accent`` is the author's or the style's own."""

    style: MapStyle
    accent: str

    @property
    def palette(self) -> Palette:
        return PALETTES[self.style]


def check_style(value: str) -> MapStyle:
    """The base-map style named ``value`` (any case); :class:`StoryError` naming it otherwise."""
    name = str(value).strip().lower()
    if name not in STYLES:
        msg = f"unknown style {str(value)[:40]!r}: choose {', '.join(STYLES[:-1])} or {STYLES[-1]}"
        raise StoryError(msg)
    return MapStyle(name)


def check_accent(value: str) -> str:
    """An accent colour as the story file keeps it (``#rrggbb``, lower case) from ``#rrggbb`` or
    ``#rgb``; :class:`StoryError` naming ``value`` when it is neither."""
    text = str(value).strip()
    if len(text) == 4 and text.startswith("#"):  # #rgb is #rrggbb
        text = "#" + "".join(c * 2 for c in text[1:])
    if not ACCENT.fullmatch(text):
        msg = f"{str(value)[:40]!r} is not a colour: give the accent as #rrggbb (such as #b3202e) or #rgb"
        raise StoryError(msg)
    return text.lower()


def with_look(story: Story | StoryData, *, style: str | None = None, accent: str | None = None) -> Story:
    """``story`` with its house style set in the story file (``storymap.style``, ``storymap.accent``):
    each given value checked (:func:`check_style`, :func:`check_accent`), the others kept."""
    records = as_story(story)
    changes: dict[str, object] = {}
    if style is not None:
        changes["style"] = check_style(style)
    if accent is not None:
        changes["accent"] = check_accent(accent)
    if not changes:
        return records
    return replace(records, meta=update(records.meta, **changes))


def look_of(story: Story | StoryData) -> Look:
    """The house style a story is shown in: its own, else :data:`DEFAULT_STYLE` and the style's accent."""
    meta = as_story(story).meta
    style = meta.style if isinstance(meta.style, MapStyle) else DEFAULT_STYLE
    accent = meta.accent if isinstance(meta.accent, str) and ACCENT.fullmatch(meta.accent) else None
    return Look(style, (accent or PALETTES[style].accent).lower())


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def on_accent(accent: str) -> str:
    """Text colour on the accent (a stop's number, the play button): white or near-black,
    whichever contrasts more (WCAG)."""
    lum = _luminance(accent)
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.0625) else "#111111"


def look_css(look: Look) -> str:
    """The page's CSS variables for ``look`` (a ``:root`` rule, after ``static/storymap.css``'s defaults)."""
    p = look.palette
    values = {
        "route": look.accent, "planned": look.accent, "on-accent": on_accent(look.accent),
        "sea": p.sea, "land": p.land, "border": p.border, "coast": p.coast, "ink": p.ink, "muted": p.muted,
        "paper": p.paper, "rule": p.rule, "mention": p.mention, "surface": p.surface, "hover": p.hover,
        "line": p.line, "label": p.label, "mark": p.mark, "focus": p.focus, "name-country": p.name_country,
        "name-water": p.name_water, "name-city": p.name_city, "name-town": p.name_town, "name-dot": p.name_dot,
    }
    body = " ".join(f"--sm-{k}: {v};" for k, v in values.items())
    return f":root {{ color-scheme: {p.scheme}; {body} }}"


__all__ = ["DEFAULT_STYLE", "Look", "PALETTES", "Palette", "STYLES", "check_accent", "check_style", "look_css",
           "look_of", "on_accent", "with_look"]
