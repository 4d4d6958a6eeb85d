"""What the app shows of a story's images and of the author's Markdown (AppTest): it never opens
a path a story names, never decodes a huge inline image, and makes Markdown images links, as
the exported page does."""

from __future__ import annotations

import base64
import copy
import io
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from PIL import Image

from storymap import app_support as sup
from storymap.library import Library
from storymap.render import markdown_blocks
from storymap.storyfile import load_story, stops

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
FIXTURE = Path(__file__).parent / "fixtures" / "story.geojson"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _data_uri(data: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def _open(story: dict[str, Any]) -> tuple[Any, str]:
    """The app on ``story`` kept in the library the way an earlier version kept it (unchecked),
    showing its first stop in the places tab."""
    from streamlit.testing.v1 import AppTest

    saved = Library().add(story, note="app media test")
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params["story"] = saved.id
    at.run()
    assert not at.exception, at.exception
    place = str(stops(story)[0]["id"])
    at.selectbox(key="pick_place").set_value(place).run()
    assert not at.exception, at.exception
    return at, place


def _with(**props: Any) -> dict[str, Any]:
    story = copy.deepcopy(load_story(FIXTURE))
    first = next(f for f in story["features"] if f["id"] == stops(story)[0]["id"])
    first["properties"].update(props)
    return story


def _images(at: Any) -> list[Any]:
    return list(at.get("image"))


def _shown_urls(at: Any) -> list[str]:
    return [img.proto.imgs[0].url for img in _images(at) if img.proto.imgs]


def test_the_app_never_shows_a_file_a_story_names(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(_png(20, 20))
    at, _ = _open(_with(media=[{"src": str(secret), "caption": "Secret"}]))
    assert _images(at) == []
    assert any("An image this app does not show" in c.value for c in at.caption)


@pytest.mark.parametrize("src", ["data:image/png;base64,AAAA", _data_uri(b"<svg onload=alert(1)>"),
                                 "file:///etc/hostname", "javascript:alert(1)"])
def test_a_media_source_that_is_no_image_shows_a_note_not_an_error(src: str) -> None:
    at, _ = _open(_with(media=[{"src": src}]))
    assert not at.exception and _images(at) == []
    assert any("An image this app does not show" in c.value for c in at.caption)


def test_inline_images_and_web_addresses_are_shown() -> None:
    at, _ = _open(_with(media=[{"src": _data_uri(_png(40, 30)), "caption": "Blue", "credit": "Test"},
                               {"src": "https://img.example.org/quay.jpg", "caption": "The quay"}]))
    urls = _shown_urls(at)
    assert len(urls) == 2 and urls[1] == "https://img.example.org/quay.jpg"
    assert "/media/" in urls[0]  # served from the bytes the story holds, not from a file


def test_a_huge_inline_image_is_not_decoded() -> None:
    assert sup.media_image(_data_uri(_png(2500, 2000))) is None  # 5 megapixels
    assert sup.media_image(_data_uri(_png(960, 640))) is not None


def _images_in(markdown: str) -> list[str]:
    """The images CommonMark (as Streamlit renders it) finds in ``markdown``."""
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        found += [c.attrs.get("src") for c in token.children or [] if c.type == "image"]
    return found


AUTHOR_TEXT = ("The quay at dawn ![the quay](https://img.example.org/q.png) and \\\\![again][ref], "
               "[![a badge](https://img.example.org/b.svg)](https://example.org).\n\n"
               "[ref]: https://img.example.org/r.png\n\n`code with ![x](y)`")


def test_author_markdown_makes_every_image_a_link_as_the_page_does() -> None:
    assert len(_images_in(AUTHOR_TEXT)) == 3
    made = sup.author_markdown(AUTHOR_TEXT)
    assert _images_in(made) == []
    links = [c.attrs["href"] for t in MarkdownIt("commonmark").parse(made) for c in t.children or []
             if c.type == "link_open"]
    assert "https://img.example.org/q.png" in links and "https://img.example.org/r.png" in links
    # the page: the same words, the image a link
    page = markdown_blocks(AUTHOR_TEXT)
    assert {"tag": "a", "href": "https://img.example.org/q.png", "children": ["the quay"]} in page[0]["items"][0]


def test_the_app_shows_the_authors_images_as_links() -> None:
    story = _with(author_text=AUTHOR_TEXT)
    story["storymap"]["intro"] = "Before the tour ![a map](https://img.example.org/m.png)."
    at, _ = _open(story)
    bodies = [m.value for m in at.markdown]
    assert any("img.example.org/q.png" in b for b in bodies) and any("img.example.org/m.png" in b for b in bodies)
    assert all(_images_in(b) == [] for b in bodies)


# --------------------------------------------------------------------------- uploads
def _png_header(width: int, height: int) -> bytes:
    """A PNG that says it is ``width`` x ``height`` (its pixels are cut short): all a header check reads."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * (3 * width)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * 4)) + chunk(b"IEND", b""))


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 60, 30)).save(out, "JPEG", quality=50)
    return out.getvalue()


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The size of every image decoded while the test runs."""
    from PIL import ImageFile

    sizes: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def recording(self: Any) -> Any:
        if self.tile:
            sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording)
    return sizes


def test_an_image_with_too_many_pixels_is_refused_from_its_header(decoded: list[tuple[int, int]]) -> None:
    from storymap.library import LibraryError, image_media

    with pytest.raises(LibraryError, match=r"13000x13000 pixels \(169 megapixels\); the limit is 16 megapixels"):
        image_media(_png_header(13000, 13000))
    with pytest.raises(LibraryError, match=r"4001x4000 pixels"):
        image_media(_png_header(4001, 4000))
    assert decoded == []  # nothing was decoded to find out


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size(decoded: list[tuple[int, int]]) -> None:
    from storymap.library import IMAGE_SIDE, image_media

    media = image_media(_jpeg(8000, 4000), caption="Wide")  # 32 megapixels: a JPEG may have 50
    assert decoded == [(2000, 1000)]  # a quarter, still twice the 960x480 it is resized to
    with Image.open(io.BytesIO(base64.b64decode(media["src"].split(",", 1)[1]))) as img:
        assert max(img.size) == IMAGE_SIDE


def test_a_long_panorama_jpeg_is_decoded_at_a_fraction_of_its_size_too(decoded: list[tuple[int, int]]) -> None:
    from storymap.library import image_media

    image_media(_jpeg(20000, 900))  # 18 megapixels, but 960x43 once resized
    assert decoded == [(2500, 113)]  # an eighth


def test_only_raster_images_are_taken() -> None:
    from storymap.library import LibraryError, image_media

    bmp = io.BytesIO()
    Image.new("RGB", (10, 10)).save(bmp, "BMP")
    for data in (bmp.getvalue(), b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'):
        with pytest.raises(LibraryError, match="not an image"):
            image_media(data)
