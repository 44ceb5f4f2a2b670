"""Consistent hashing of conversations onto Rasa replicas, and the cluster's nginx configuration."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest

from govbot.cluster import nginx_conf
from govbot.cluster.layout import Layout
from govbot.cluster.ring import Ring

URLS = ["http://127.0.0.1:5101", "http://127.0.0.1:5102", "http://127.0.0.1:5103"]
SENDERS = [f"web-{i:05d}" for i in range(3000)]


def test_a_conversation_always_goes_to_the_same_replica():
    first, again = Ring(URLS), Ring(list(reversed(URLS)))
    assert all(first.owner(s) == again.owner(s) for s in SENDERS)


def test_conversations_are_spread_over_the_replicas():
    counts = Counter(Ring(URLS).owner(s) for s in SENDERS)
    assert set(counts) == set(URLS)
    assert min(counts.values()) > len(SENDERS) / len(URLS) * 0.6


def test_losing_a_replica_moves_only_its_own_conversations():
    full, reduced = Ring(URLS), Ring(URLS[:2])
    for sender in SENDERS:
        order = full.order(sender)
        assert sorted(order) == sorted(URLS)
        if order[0] != URLS[2]:
            assert reduced.owner(sender) == order[0]
        else:  # the failover order names the replica that takes it over
            assert reduced.owner(sender) == next(u for u in order if u != URLS[2])


def test_a_ring_needs_a_replica():
    with pytest.raises(ValueError):
        Ring([])


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_generated_nginx_configuration_is_valid(tmp_path):
    layout = Layout(tmp_path / "cluster", 18080, 18100, 2)
    conf = nginx_conf.write(layout)
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(conf), "-p", str(layout.base / "nginx")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "server 127.0.0.1:18101" in conf.read_text() and "server 127.0.0.1:18122" in conf.read_text()
