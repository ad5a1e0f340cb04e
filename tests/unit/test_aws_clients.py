"""hookgate.aws: botocore clients from one session whose loader finds a service cheaply."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader

from hookgate import aws
from hookgate.service_loader import DictFileLoader, ServiceLoader, ServiceNames, service_loader

SERVICE = "service-2"


def _model(root: Path, service: str, version: str, type_name: str = SERVICE) -> None:
    directory = root / service / version
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{type_name}.json").write_text("{}")


@pytest.fixture
def search_paths(tmp_path: Path) -> list[str]:
    """Two search paths whose services cover each rule of botocore's listing."""
    first, second = tmp_path / "first", tmp_path / "second"
    _model(first, "alpha", "2020-01-01")
    _model(first, "pages", "2020-01-01", "paginators-1")  # no service-2 model anywhere
    _model(first, "later", "2019-01-01", "paginators-1")
    _model(first, "later", "2021-01-01")  # only its second version has the model
    _model(second, "beta", "2020-01-01")  # only in the second search path
    (first / "empty").mkdir()
    (first / "loose").write_text("a file, not a service directory")
    # Models where only a name that is not one directory entry would find them.
    (first / "service-2.json").write_text("{}")  # "..": the search path as a "version"
    (first / "alpha" / "service-2.json").write_text("{}")  # "." or "": a service as a version
    _model(first, "nested/deep", "2020-01-01")  # "nested/deep": two directory levels
    return [str(first), str(second), str(tmp_path / "missing")]


NAMES: list[object] = [
    "alpha",
    "beta",
    "later",
    "pages",
    "empty",
    "loose",
    "gamma",
    "",
    ".",
    "..",
    "first",
]
NAMES += ["nested", "nested/deep", "alpha/2020-01-01", "../first/alpha", "alpha/", 1, None]


def test_membership_agrees_with_botocores_listing(search_paths: list[str]) -> None:
    loader = ServiceLoader(extra_search_paths=search_paths, include_default_search_paths=False)
    for type_name in (SERVICE, "paginators-1", "waiters-2"):
        listing = loader.list_all_services(type_name)
        found = {name: name in ServiceNames(loader, type_name) for name in NAMES}
        assert found == {name: name in listing for name in NAMES}
    assert loader.list_all_services(SERVICE) == ["alpha", "beta", "later"]
    assert loader.list_all_services("paginators-1") == ["later", "pages"]


class _NoListing(ServiceLoader):
    def list_all_services(self, type_name: str) -> list[str]:
        raise AssertionError("a membership check listed every service")


def test_membership_of_a_plain_name_never_lists_every_service(search_paths: list[str]) -> None:
    names = _NoListing(extra_search_paths=search_paths, include_default_search_paths=False)
    services = names.list_available_services(SERVICE)
    assert "alpha" in services and "beta" in services and "later" in services
    assert "pages" not in services and "gamma" not in services and "loose" not in services
    with pytest.raises(AssertionError, match="listed every service"):
        assert "a/b" not in services  # not a directory name: botocore's listing decides


def test_everything_else_reads_botocores_listing(search_paths: list[str]) -> None:
    loader = ServiceLoader(extra_search_paths=search_paths, include_default_search_paths=False)
    services = loader.list_available_services(SERVICE)
    assert list(services) == ["alpha", "beta", "later"]
    assert len(services) == 3 and services[1] == "beta" and services[1:] == ["beta", "later"]
    assert ", ".join(services) == "alpha, beta, later"
    assert "gamma" not in services


def test_the_loader_keeps_botocores_search_paths(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    default = service_loader(None)
    assert default.search_paths == [
        ServiceLoader.CUSTOMER_DATA_PATH,
        ServiceLoader.BUILTIN_DATA_PATH,
    ]
    monkeypatch.setenv("HOOKGATE_TEST_MODELS", str(tmp_path))
    custom = service_loader(f"$HOOKGATE_TEST_MODELS/a{os.pathsep}~/b")
    assert custom.search_paths == [
        f"{tmp_path}/a",
        str(Path.home() / "b"),
        ServiceLoader.CUSTOMER_DATA_PATH,
        ServiceLoader.BUILTIN_DATA_PATH,
    ]


def test_clients_share_one_session_with_the_service_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    aws.client.cache_clear()
    aws._session.cache_clear()
    try:
        secrets, events = aws.client("secretsmanager"), aws.client("events")
        assert aws.client("secretsmanager") is secrets
        loader = aws._session().get_component("data_loader")
        assert type(loader) is ServiceLoader and type(loader.file_loader) is DictFileLoader
        assert secrets.meta.service_model.service_name == "secretsmanager"
        assert events.meta.service_model.service_name == "events"
        assert events.meta.config.read_timeout == 5 and events.meta.config.connect_timeout == 2
        assert events.meta.config.retries == {"total_max_attempts": 4, "mode": "standard"}
        with pytest.raises(
            UnknownServiceError, match=r"Unknown service: 'no-such-service'.*dynamodb"
        ):
            aws.client("no-such-service")
    finally:
        aws.client.cache_clear()
        aws._session.cache_clear()


def test_data_files_parse_into_the_same_plain_dicts(tmp_path: Path) -> None:
    plain, ordered = DictFileLoader(), JSONFileLoader()
    builtin = Path(Loader.BUILTIN_DATA_PATH)
    for name in ("endpoints", "dynamodb/2012-08-10/service-2", "events/2015-10-07/service-2"):
        data = plain.load_file(str(builtin / name))
        assert type(data) is dict and data == ordered.load_file(str(builtin / name))
        assert list(data) == list(ordered.load_file(str(builtin / name)))  # the file's order
    (tmp_path / "both.json").write_text('{"from": "json", "b": {"c": [1, "\\u00e9"]}}')
    with gzip.open(tmp_path / "both.json.gz", "wb") as file:
        file.write(b'{"from": "gz"}')
    with gzip.open(tmp_path / "packed.json.gz", "wb") as file:
        file.write('{"from": "gz", "text": "caf\u00e9"}'.encode())
    (tmp_path / "empty.json").write_text("{}")
    assert plain.load_file(str(tmp_path / "both")) == {"from": "json", "b": {"c": [1, "\u00e9"]}}
    assert plain.load_file(str(tmp_path / "packed")) == {"from": "gz", "text": "caf\u00e9"}
    assert plain.load_file(str(tmp_path / "empty")) == {}
    assert plain.load_file(str(tmp_path / "missing")) is None
    (tmp_path / "folder.json").mkdir()
    assert plain.load_file(str(tmp_path / "folder")) is None
    for name in ("both", "packed", "empty", "missing", "folder"):
        assert plain.load_file(str(tmp_path / name)) == ordered.load_file(str(tmp_path / name))
