"""One running `govbot serve` (real HTTP, its own knowledge base, index and database) for the security tests."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import SAMPLE_KB, copy_index
from tests.test_admin_api import Service


@pytest.fixture(scope="session")
def admin_service(sample_index, tmp_path_factory):
    root = tmp_path_factory.mktemp("security-admin")
    shutil.copytree(SAMPLE_KB, root / "kb")
    copy_index(sample_index, root / "var" / "index")
    running = Service(root)
    running.start()
    yield running
    running.kill()
