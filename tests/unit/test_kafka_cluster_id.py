"""KRaft cluster ids for `kafka-storage format -t ID`: an id starting with "-" is read as an
option and formatting fails (it broke a native stack start once in 64)."""

from __future__ import annotations

import base64

from cdc_tutor.stack.processes import kafka_cluster_id


def test_cluster_ids_are_16_random_bytes_never_starting_with_a_dash():
    ids = [kafka_cluster_id() for _ in range(3000)]  # the old code gave ~47 dash-led ids here
    assert not [i for i in ids if i.startswith("-")]
    assert len(set(ids)) == len(ids)
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
