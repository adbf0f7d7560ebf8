#!/usr/bin/env bash
# The local stack: one Kafka broker (KRaft, single node) and one
# Elasticsearch node, both on 127.0.0.1, fetched from Maven Central.
#
#   stack.sh fetch          download into the cache (idempotent)
#   stack.sh start          fetch, start both, wait until healthy
#   stack.sh stop           stop both (idempotent)
#   stack.sh status         print what runs where
#   stack.sh clean          stop both and delete their data (not the cache)
#   stack.sh start-kafka | stop-kafka | start-es | stop-es
#                           one server alone (used by fault-injection tests)
#
# Settings (environment): LW_KAFKA_PORT (9092), LW_KAFKA_CONTROLLER_PORT
# (9093), LW_ES_PORT (9200), LW_ES_TRANSPORT_PORT (9300), LW_STACK_DIR
# (var/stack under the repository: data, logs, pids), LW_ES_STACK_DIR
# (Elasticsearch's folders; default LW_STACK_DIR if its user can reach it,
# else a folder under /var/tmp named after the checkout), LW_ES_USER
# (listingwatch: Elasticsearch refuses to run as root), LW_ES_HEAP (1g),
# LW_KAFKA_HEAP (512m), LW_ES_JAVA_HOME (the newest JDK under /usr/lib/jvm),
# LW_ES_JAVA_OPTS (more JVM options for Elasticsearch, after the heap;
# default -XX:MaxGCPauseMillis=20, an empty value drops it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
ES_VERSION=9.3.2
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"

KAFKA_PORT=${LW_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${LW_KAFKA_CONTROLLER_PORT:-9093}
ES_PORT=${LW_ES_PORT:-9200}
ES_TRANSPORT_PORT=${LW_ES_TRANSPORT_PORT:-9300}
STATE=${LW_STACK_DIR:-$repo/var/stack}
ES_USER=${LW_ES_USER:-listingwatch}
ES_HEAP=${LW_ES_HEAP:-1g}
# Every lead lookup waits out Elasticsearch's young-generation pauses. On two
# cores shared with the broker and the workers, G1's default 200 ms pause
# goal gave 40-90 ms pauses every ~15 s under the 2,000/s benchmark; a 20 ms
# goal gave 11-15 ms at the same load (bench/README.md, "Live latency").
ES_JAVA_EXTRA=${LW_ES_JAVA_OPTS--XX:MaxGCPauseMillis=20}
KAFKA_HEAP=${LW_KAFKA_HEAP:-512m}

KAFKA_HOME="$STATE/kafka-$KAFKA_VERSION"

# Elasticsearch runs as an unprivileged user, which must be able to reach
# its folders. A checkout under a private home (/root is 0700) is not
# reachable, so its Elasticsearch folders then live under /var/tmp, named
# after the checkout so that two checkouts never share a node's data.
world_traversable() {
    local dir=$1 mode
    while [[ -n "$dir" && "$dir" != "/" ]]; do
        if [[ -e "$dir" ]]; then
            mode=$(stat -c %A "$dir")
            [[ ${mode:9:1} == [xt] ]] || return 1
        fi
        dir=$(dirname "$dir")
    done
}

ES_STATE=${LW_ES_STACK_DIR:-$STATE}
if [[ -z "${LW_ES_STACK_DIR:-}" ]] && ! world_traversable "$STATE"; then
    ES_STATE="/var/tmp/listing-watch-$(printf %s "$STATE" | cksum | cut -d' ' -f1)"
fi
ES_HOME="$ES_STATE/elasticsearch-$ES_VERSION"

die() {
    echo "stack: $*" >&2
    exit 1
}

log() {
    echo "stack: $*" >&2
}

# --- prerequisites ---------------------------------------------------------

require_tools() {
    command -v java >/dev/null || die "java not found: install a JDK 17 or newer (apt-get install openjdk-17-jdk-headless)"
    command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven)"
    command -v curl >/dev/null || die "curl not found: install it (apt-get install curl)"
    command -v unzip >/dev/null || die "unzip not found: install it (apt-get install unzip)"
}

# Elasticsearch 9 needs Java 21 or newer; the machine's default may be 17.
es_java_home() {
    if [[ -n "${LW_ES_JAVA_HOME:-}" ]]; then
        echo "$LW_ES_JAVA_HOME"
        return
    fi
    local candidate version
    for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        [[ -x "$candidate/bin/java" ]] || continue
        version=$("$candidate/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
        if [[ -n "$version" && "$version" -ge 21 ]]; then
            echo "${candidate%/}"
            return
        fi
    done
    die "Elasticsearch $ES_VERSION needs Java 21 or newer and none is under /usr/lib/jvm: install one or set LW_ES_JAVA_HOME"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Elasticsearch writes its own pid file, so it lives in a folder its user owns.
pidfile() {
    if [[ $1 == es ]]; then
        echo "$ES_STATE/es-run/es.pid"
    else
        echo "$STATE/$1.pid"
    fi
}

running() {
    local file
    file=$(pidfile "$1")
    [[ -f "$file" ]] && kill -0 "$(cat "$file")" 2>/dev/null
}

# --- fetch -----------------------------------------------------------------

fetch_kafka() {
    [[ -f "$KAFKA_HOME/.fetched" ]] && return
    log "fetching Kafka $KAFKA_VERSION jars from Maven Central"
    mkdir -p "$KAFKA_HOME/libs"
    mkdir -p "$STATE/logs"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" \
        >>"$STATE/logs/maven.log" 2>&1 \
        || die "could not download Kafka $KAFKA_VERSION with Maven: see $STATE/logs/maven.log, check access to Maven Central, then run 'make stack' again"
    touch "$KAFKA_HOME/.fetched"
}

fetch_es() {
    [[ -f "$ES_HOME/.fetched" ]] && return
    log "fetching Elasticsearch $ES_VERSION (integ-test zip) from Maven Central"
    mkdir -p "$STATE/logs"
    mvn -q -B -Dstyle.color=never dependency:get -Dartifact="$ES_ARTIFACT" -Dtransitive=false \
        >>"$STATE/logs/maven.log" 2>&1 \
        || die "could not download $ES_ARTIFACT with Maven: see $STATE/logs/maven.log, check access to Maven Central, then run 'make stack' again"
    local zip
    zip="${LW_MAVEN_REPO:-$HOME/.m2/repository}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
    [[ -f "$zip" ]] || die "Maven reported success but $zip is missing"
    rm -rf "$ES_HOME"
    mkdir -p "$ES_STATE"
    unzip -q "$zip" -d "$ES_STATE" || die "could not unpack $zip: is the disk full?"
    touch "$ES_HOME/.fetched"
}

fetch() {
    require_tools
    mkdir -p "$STATE"
    fetch_kafka
    fetch_es
}

# --- Kafka -----------------------------------------------------------------

write_kafka_config() {
    mkdir -p "$STATE/kafka-data" "$STATE/logs"
    cat >"$STATE/kafka.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$STATE/kafka-data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
    cat >"$STATE/kafka-log4j2.properties" <<EOF
appender.file.type=File
appender.file.name=file
appender.file.fileName=$STATE/logs/kafka.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
EOF
}

kafka_java() {
    java -Xmx"$KAFKA_HEAP" -Xms"$KAFKA_HEAP" \
        -Dlog4j2.configurationFile="$STATE/kafka-log4j2.properties" \
        -cp "$KAFKA_HOME/libs/*" "$@"
}

format_kafka_storage() {
    [[ -f "$STATE/kafka-data/meta.properties" ]] && return
    local cluster_id
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid)
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" \
        -c "$STATE/kafka.properties" >>"$STATE/logs/kafka-format.log" 2>&1 \
        || die "formatting Kafka storage failed: see $STATE/logs/kafka-format.log"
}

start_kafka() {
    fetch_kafka
    if running kafka; then
        log "Kafka already running (pid $(cat "$STATE/kafka.pid")) on 127.0.0.1:$KAFKA_PORT"
        return
    fi
    port_in_use "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process: stop it or set LW_KAFKA_PORT"
    port_in_use "$KAFKA_CONTROLLER_PORT" && die "port $KAFKA_CONTROLLER_PORT is taken by another process: stop it or set LW_KAFKA_CONTROLLER_PORT"
    write_kafka_config
    format_kafka_storage
    nohup java -Xmx"$KAFKA_HEAP" -Xms"$KAFKA_HEAP" \
        -Dlog4j2.configurationFile="$STATE/kafka-log4j2.properties" \
        -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$STATE/kafka.properties" \
        >>"$STATE/logs/kafka.out" 2>&1 </dev/null &
    echo $! >"$STATE/kafka.pid"
    wait_for_kafka
}

wait_for_kafka() {
    local deadline=$((SECONDS + 90))
    until port_in_use "$KAFKA_PORT"; do
        running kafka || die "Kafka exited during start-up: see $STATE/logs/kafka.out and kafka.log"
        ((SECONDS < deadline)) || die "Kafka did not open 127.0.0.1:$KAFKA_PORT within 90 s: see $STATE/logs/kafka.log"
        sleep 0.5
    done
    log "Kafka $KAFKA_VERSION up on 127.0.0.1:$KAFKA_PORT"
}

# --- Elasticsearch ---------------------------------------------------------

ensure_es_user() {
    id -u "$ES_USER" >/dev/null 2>&1 && return
    [[ $(id -u) -eq 0 ]] || die "user $ES_USER does not exist and only root can create it: create it or set LW_ES_USER to your own user"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" \
        || die "could not create user $ES_USER for Elasticsearch"
}

as_es_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$ES_USER" -- "$@"
    else
        "$@"
    fi
}

write_es_config() {
    mkdir -p "$ES_STATE/es-data" "$ES_STATE/es-logs" "$ES_STATE/es-tmp" "$ES_STATE/es-run" "$STATE/logs"
    cat >"$ES_HOME/config/elasticsearch.yml" <<EOF
cluster.name: listing-watch-local
node.name: local-1
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
discovery.type: single-node
path.data: $ES_STATE/es-data
path.logs: $ES_STATE/es-logs
xpack.security.enabled: false
action.destructive_requires_name: true
EOF
    if [[ $(id -u) -eq 0 ]]; then
        chown -R "$ES_USER" "$ES_HOME" "$ES_STATE/es-data" "$ES_STATE/es-logs" "$ES_STATE/es-tmp" "$ES_STATE/es-run"
    fi
    as_es_user test -r "$ES_HOME/config/elasticsearch.yml" \
        || die "user $ES_USER cannot read $ES_HOME: every folder above it must be world-traversable, or set LW_STACK_DIR"
}

start_es() {
    fetch_es
    [[ "$ES_STATE" == "$STATE" ]] || log "Elasticsearch folders in $ES_STATE (its user cannot reach $STATE)"
    if running es; then
        log "Elasticsearch already running (pid $(cat "$(pidfile es)")) on 127.0.0.1:$ES_PORT"
        return
    fi
    port_in_use "$ES_PORT" && die "port $ES_PORT is taken by another process: stop it or set LW_ES_PORT"
    ensure_es_user
    write_es_config
    local java_home
    java_home=$(es_java_home)
    as_es_user env ES_JAVA_HOME="$java_home" ES_TMPDIR="$ES_STATE/es-tmp" \
        ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP $ES_JAVA_EXTRA" \
        "$ES_HOME/bin/elasticsearch" -d -p "$(pidfile es)" \
        >>"$STATE/logs/es.out" 2>&1 \
        || die "Elasticsearch failed to start: see $STATE/logs/es.out and $ES_STATE/es-logs/"
    wait_for_es
}

wait_for_es() {
    local deadline=$((SECONDS + 180))
    until curl -sf "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; do
        ((SECONDS < deadline)) || die "Elasticsearch not healthy on 127.0.0.1:$ES_PORT within 180 s: see $ES_STATE/es-logs/"
        sleep 1
    done
    log "Elasticsearch $ES_VERSION up on 127.0.0.1:$ES_PORT"
}

# --- stop ------------------------------------------------------------------

stop_one() {
    local name=$1 file pid
    file=$(pidfile "$name")
    if ! running "$name"; then
        rm -f "$file"
        return
    fi
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name (pid $pid) ignored SIGTERM for 30 s; killing it"
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
    log "$name stopped"
}

status() {
    local name
    for name in kafka es; do
        if running "$name"; then
            echo "$name: running (pid $(cat "$(pidfile "$name")"))"
        else
            echo "$name: stopped"
        fi
    done
}

case "${1:-}" in
fetch) fetch ;;
start)
    start_time=$SECONDS
    fetch
    start_kafka
    start_es
    log "stack ready in $((SECONDS - start_time)) s"
    ;;
stop)
    stop_one es
    stop_one kafka
    for port in "$ES_PORT" "$KAFKA_PORT"; do
        port_in_use "$port" && log "warning: something still listens on 127.0.0.1:$port (not started by this checkout's stack?)"
    done
    true
    ;;
status) status ;;
clean)
    stop_one es
    stop_one kafka
    rm -rf "$STATE" "$ES_STATE"
    log "removed $STATE and $ES_STATE (downloads stay in the Maven cache)"
    ;;
start-kafka) start_kafka ;;
stop-kafka) stop_one kafka ;;
start-es) start_es ;;
stop-es) stop_one es ;;
*)
    echo "usage: $0 {fetch|start|stop|status|clean|start-kafka|stop-kafka|start-es|stop-es}" >&2
    exit 2
    ;;
esac
