"""Scale-out over NATS JetStream: the API queues, workers persist and judge, walls follow.

The path of an event when `bus_url` is set (docs/scaling.md has the picture):

1. The API validates a batch, splits it by partition (the hash of the entity it
   describes, else of its dedup key) and publishes each part to JetStream with a
   message id derived from the dedup keys. It answers 202 only once JetStream has
   acknowledged every part: an acknowledged event is written to the stream's files,
   so it survives a crash of any process (a power loss only once nats-server has
   synced them: every 2 minutes by default, or every write with `sync_interval: always`).
2. Worker `i` of `N` pulls the partitions `p` with `p % N == i`, so one entity's events
   are judged in order by one process. It stores them (dedup on the dedup key), runs
   the rules, stores alerts, publishes what happened on the live subject, and only
   then acknowledges. A worker killed before that gets the batch again: the events
   keep their ids, alert and hit ids are derived from them, so nothing is stored twice.
3. Every API process relays the live subject to its own websocket bus.

Guarantees: at-least-once into storage, idempotent on the dedup key (events) and on
derived ids (alerts, hits); per-entity order within a partition; live messages are
at-most-once (a wall that misses one resyncs from the stored state).
"""
