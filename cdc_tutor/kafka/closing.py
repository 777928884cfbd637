"""Closing a consumer without the cooperative-rebalance deadlock of confluent-kafka 2.16 / librdkafka 2.16.

Why a procedure instead of `consumer.close()`: when a rebalance callback runs *inside* `close()`,
librdkafka's group is already terminating, and `rd_kafka_rebalance_protocol()` can answer
something other than "COOPERATIVE" (NULL when its request fails). confluent-kafka's fallback
(`Consumer_rebalance_cb`, used whenever the Python callback did not call assign itself) then
takes the EAGER branch and calls `rd_kafka_assign()` on a COOPERATIVE group; the stack of the
hung CI run shows that request waiting on a reply queue nobody serves any more, in `close()`, for
good (librdkafka #4527, #4041, and #4884, still open: `rd_kafka_assign()` hanging in a rebalance
callback during close). The cure is to never let a rebalance callback reach `close()`:
leave the group first, serve the revoke from `poll()` while the group is alive, then close an
empty consumer.
"""

from __future__ import annotations

import time

from confluent_kafka import Consumer

DRAIN_POLL_S = 0.05


def close_consumer(consumer: Consumer, timeout: float = 10.0) -> bool:
    """Leave the group, serve the revoke callbacks, then close; True when the assignment emptied.

    - Group members (`subscribe`): `unsubscribe()` revokes the partitions through `on_revoke` (a
      commit there still works) inside `poll()`. The drain must not hand out a message whose
      offset an auto commit would then store unprocessed: librdkafka already discards fetched
      messages of revoked partitions (tests/kafka/test_consumer_close.py checks the committed
      offsets); pausing the partitions first states that intent for any client version.
    - Manual assignments (`assign`): unassigned directly; there is no group to leave.
    - A consumer already closed: nothing to do.

    Past `timeout` (a broker gone for good) it closes anyway: close() without a pending rebalance
    is bounded by librdkafka's own timeouts.
    """
    try:
        owned = consumer.assignment()
    except RuntimeError:  # already closed
        return True
    if owned:
        consumer.pause(owned)
    member = consumer.memberid()  # read before leaving: empty for assign() and for a group never joined
    consumer.unsubscribe()
    if member:
        deadline = time.monotonic() + timeout
        while consumer.assignment() and time.monotonic() < deadline:
            consumer.poll(DRAIN_POLL_S)
    elif consumer.assignment():
        consumer.unassign()
    clean = not consumer.assignment()
    consumer.close()
    return clean
