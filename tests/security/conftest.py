"""One running `govbot serve` (real HTTP, its own knowledge base, index and database) for the security tests."""

from __future__ import annotations

import pytest

from tests.test_admin_api import running_service


@pytest.fixture(scope="session")
def admin_service(sample_index, tmp_path_factory):
    yield from running_service(tmp_path_factory.mktemp("security-admin"), sample_index)
