"""A botocore data loader that finds one service without listing all of them, and parses fast.

Before loading a service model botocore checks that the service exists by listing every
service under its search paths (about 400 directories, each listed and its versions probed)
once per model type; a client loads two types, so the first client of a process pays two full
listings, about 15 ms of a cold start. :class:`ServiceLoader` answers that membership check by
looking in the one service's own directory, with the same rule as botocore's listing: a
directory of that name under a search path that has an API version holding a model of the type.
Anything else that reads the listing (iterating it, its length, an unknown name's error
message) gets botocore's full listing, computed once when first needed.

botocore parses its data files into ``OrderedDict`` objects, which makes ``json`` call back into
Python for every object and doubles the parse time (the 1.2 MB endpoint table alone: about 14
ms against 28 ms). :class:`DictFileLoader` parses them into plain dicts, which keep the files'
order as well and which is all botocore does with them.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator, Sequence
from typing import Any, TypeIs, overload

from botocore.loaders import JSONFileLoader, Loader, create_loader

# botocore's own order: a plain file before a compressed one
_OPENERS: tuple[tuple[str, Any], ...] = ((".json", open), (".json.gz", gzip.open))


class DictFileLoader(JSONFileLoader):
    """botocore's data file loader, parsing into plain dicts instead of ``OrderedDict``."""

    def load_file(self, file_path: str) -> Any:
        """Return the data in ``file_path`` + ``.json`` or ``.json.gz``; None when neither is."""
        for extension, opener in _OPENERS:
            path = file_path + extension
            if os.path.isfile(path):
                with opener(path, "rb") as file:
                    return json.loads(file.read().decode("utf-8"))
        return None


class ServiceNames(Sequence[str]):
    """The services a loader knows for one model type; ``in`` looks only where the name is."""

    def __init__(self, loader: ServiceLoader, type_name: str) -> None:
        """Describe the services of ``loader`` that have a model of ``type_name``."""
        self._loader = loader
        self._type_name = type_name

    def _listing(self) -> list[str]:
        return self._loader.list_all_services(self._type_name)  # botocore caches it

    def __contains__(self, name: object) -> bool:
        """Return True when a search path has a model of this type for service ``name``."""
        if not _plain_name(name):
            return name in self._listing()
        for root in self._loader.search_paths:
            directory = os.path.join(root, name)
            if not os.path.isdir(directory):
                continue
            for version in os.listdir(directory):
                path = os.path.join(directory, version, self._type_name)
                if self._loader.file_loader.exists(path):
                    return True
        return False

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        """Return the sorted listing's item(s) at ``index``."""
        return self._listing()[index]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the sorted listing."""
        return iter(self._listing())

    def __len__(self) -> int:
        """Return how many services the listing holds."""
        return len(self._listing())


def _plain_name(name: object) -> TypeIs[str]:
    """Return True for a name that can only be one directory entry of a search path."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and os.sep not in name
        and (os.altsep is None or os.altsep not in name)
    )


class ServiceLoader(Loader):
    """botocore's loader, with a service listing whose membership check is cheap."""

    def list_available_services(self, type_name: str) -> Any:
        """Return the services with a model of ``type_name`` (see :class:`ServiceNames`)."""
        return ServiceNames(self, type_name)

    def list_all_services(self, type_name: str) -> list[str]:
        """Return botocore's own sorted listing of the services with a ``type_name`` model."""
        services: list[str] = super().list_available_services(type_name)
        return services


def service_loader(data_path: str | None) -> ServiceLoader:
    """Return a :class:`ServiceLoader` with the search paths botocore would use, parsing plainly.

    ``data_path`` is the session's ``data_path`` setting (``AWS_DATA_PATH``), as botocore's own
    ``create_loader`` reads it.
    """
    paths = create_loader(data_path).search_paths
    return ServiceLoader(
        extra_search_paths=list(paths),
        file_loader=DictFileLoader(),
        include_default_search_paths=False,
    )
