#!/bin/sh
# Creates Kindred's Kafka topics with the partitions asked for, and raises the partition count of a topic that has
# fewer; it never lowers one (Kafka cannot). Idempotent: run it before every install and upgrade.
#   KAFKA_BROKERS       host:port[,host:port…]
#   KINDRED_TOPICS      "topic=partitions topic=partitions …"
#   REPLICATION_FACTOR  for new topics;  MIN_INSYNC_REPLICAS  their min.insync.replicas (producers use acks=all)
#   KAFKA_TOPICS_BIN    kafka-topics.sh (default: the apache/kafka image's)
#   COMMAND_CONFIG      optional client properties file (TLS/SASL)
set -eu
bin="${KAFKA_TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}"
set -- --bootstrap-server "$KAFKA_BROKERS"
if [ -n "${COMMAND_CONFIG:-}" ]; then set -- "$@" --command-config "$COMMAND_CONFIG"; fi

existing=$("$bin" "$@" --list) || { echo "cannot list the topics on $KAFKA_BROKERS" >&2; exit 1; }
for spec in $KINDRED_TOPICS; do
  topic=${spec%=*}
  want=${spec##*=}
  if printf '%s\n' "$existing" | grep -qxF "$topic"; then
    have=$("$bin" "$@" --describe --topic "$topic" | sed -n 's/.*PartitionCount:[[:space:]]*\([0-9][0-9]*\).*/\1/p' | head -n 1)
    if [ -z "$have" ]; then
      echo "cannot read the partition count of $topic" >&2
      exit 1
    fi
    if [ "$have" -lt "$want" ]; then
      "$bin" "$@" --alter --topic "$topic" --partitions "$want"
      echo "$topic: raised from $have to $want partitions"
    else
      echo "$topic: $have partitions (asked for $want), unchanged"
    fi
  else
    "$bin" "$@" --create --if-not-exists --topic "$topic" --partitions "$want" \
      --replication-factor "$REPLICATION_FACTOR" --config "min.insync.replicas=$MIN_INSYNC_REPLICAS"
    echo "$topic: created with $want partitions"
  fi
done
