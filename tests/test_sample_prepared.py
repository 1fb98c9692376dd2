"""The prepared sample: imported once, then read from the cache, never stale or damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from reportgen import sample
from reportgen.dataset import Dataset
from reportgen.sample import prepared
from reportgen.sources import csvfiles


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(folder))
    return folder


def _imports(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the imports of CSV files from here on."""
    calls: list[int] = []
    real = sample.import_files

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sample, "import_files", counting)
    return calls


def _same(a: Dataset, b: Dataset) -> None:
    assert sorted(a.series_map) == sorted(b.series_map)
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.series_map:
        pd.testing.assert_series_equal(a.series_map[name], b.series_map[name], check_freq=False)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


def test_the_sample_is_imported_once_and_then_read_back_the_same(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    imports = _imports(monkeypatch)
    first = Dataset.from_store(sample.load_sample_store())
    assert len(imports) == 1 and len(list(cache.glob("sample-*.sqlite"))) == 1
    second = Dataset.from_store(sample.load_sample_store())
    assert len(imports) == 1  # read from the prepared copy
    _same(first, second)


def test_each_load_is_a_store_of_its_own(cache: Path) -> None:
    one = sample.load_sample_store()
    two = sample.load_sample_store()
    with one.transaction():
        one.upsert_series("WALCL", pd.Series([1.0], index=pd.to_datetime(["2030-01-02"])),
                          "test", pd.Timestamp("2030-01-03").to_pydatetime())
    assert one.read_series("WALCL").index.max() == pd.Timestamp("2030-01-02")
    assert two.read_series("WALCL").index.max() < pd.Timestamp("2030-01-01")
    assert sample.load_sample_store().read_series("WALCL").index.max() < \
        pd.Timestamp("2030-01-01")


def test_a_changed_sample_file_is_imported_again(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = tmp_path / "files"
    shutil.copytree(sample.sample_dir(), files,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(sample, "sample_dir", lambda: files)
    imports = _imports(monkeypatch)
    sample.load_sample_store()
    sample.load_sample_store()
    assert len(imports) == 1
    walcl = files / "WALCL.csv"
    lines = walcl.read_text().splitlines()
    head, last = lines[:-1], lines[-1].split(",")
    walcl.write_text("\n".join([*head, f"{last[0]},{float(last[1]) + 1000:g}"]) + "\n")
    store = sample.load_sample_store()
    assert len(imports) == 2
    assert store.read_series("WALCL").iloc[-1] == pytest.approx(float(last[1]) + 1000)
    assert len(list(cache.glob("sample-*.sqlite"))) == 1  # the old copy is gone


def test_a_change_in_the_importer_makes_the_copy_stale(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = sample.sample_files()
    before = prepared.stamp(files)
    importer = Path(csvfiles.__file__)
    monkeypatch.setattr(Path, "read_bytes", lambda self, real=Path.read_bytes: (
        real(self) + b"# changed" if self == importer else real(self)))
    assert prepared.stamp(files) != before


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "not a store"])
def test_a_damaged_copy_is_never_read(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                      damage: str) -> None:
    expected = Dataset.from_store(sample.load_sample_store())
    (copy,) = cache.glob("sample-*.sqlite")
    data = bytearray(copy.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 3]
    else:
        data = bytearray(b"SQLite format 3\x00" + b"\x00" * 4080)
        stem = copy.stem.rsplit("-", 1)[0]
        copy.unlink()
        copy = cache / f"{stem}-{prepared._content_hash(bytes(data))}.sqlite"
    copy.write_bytes(bytes(data))
    imports = _imports(monkeypatch)
    _same(expected, Dataset.from_store(sample.load_sample_store()))
    assert len(imports) == 1  # imported again
    (fresh,) = cache.glob("sample-*.sqlite")  # and the damaged copy replaced
    assert prepared.read(sample.sample_files()) is not None


@pytest.mark.parametrize("where", ["a file", "a read-only folder"])
def test_a_cache_that_cannot_be_written_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    target = tmp_path / "cache"
    if where == "a file":
        target.write_text("not a folder")
    else:
        target.mkdir()
        target.chmod(0o500)
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(target))
    try:
        imports = _imports(monkeypatch)
        assert Dataset.from_store(sample.load_sample_store()).series_map
        assert Dataset.from_store(sample.load_sample_store()).series_map
        if where == "a file" or not _writable(target):
            assert len(imports) == 2
    finally:
        if target.is_dir():
            target.chmod(0o700)


def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_text("")
    except OSError:
        return False
    probe.unlink()
    return True


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REPORTGEN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    assert prepared.cache_dir() is None
    assert Dataset.from_store(sample.load_sample_store()).series_map
