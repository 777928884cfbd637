"""The engines the tutor can set up: pinned Python packages and the Kafka connector jars they need."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"


@dataclass(frozen=True)
class Jar:
    """One Maven artifact copied into an engine's jars/ directory."""

    group: str
    artifact: str
    version: str
    sha1: str
    """Maven Central's published SHA-1, checked after every download."""

    @property
    def coordinate(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}"

    @property
    def filename(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    @property
    def repo_path(self) -> str:
        """Path inside a Maven repository (remote or ~/.m2/repository)."""
        return f"{self.group.replace('.', '/')}/{self.artifact}/{self.version}/{self.filename}"


@dataclass(frozen=True)
class Engine:
    """A stream-processing engine run in its own virtual environment."""

    name: str
    title: str
    package: str
    version: str
    requirements: tuple[str, ...]
    """Exact pins installed into the venv; the engine package comes first."""
    python_versions: tuple[str, ...]
    """Python minor versions the engine publishes wheels/support for."""
    connector: Jar
    """The official Kafka connector: the root of the Maven resolution."""
    jars: tuple[Jar, ...]
    """The connector and its runtime closure minus what the engine's own lib already ships."""
    provided: tuple[str, ...]
    """group:artifact pairs Maven must not copy because the engine package ships them."""
    import_check: str
    """Python run in the venv to verify it; prints the engine's version."""
    extras: tuple[Jar, ...] = ()
    """Jars taken exactly as they are, without their dependencies (also listed in `jars`)."""

    def fingerprint(self) -> str:
        """Changes whenever anything that ends up in the environment changes."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# Shared by both kernels: ipykernel so the tutor can run lesson code there, confluent-kafka for
# lesson code that produces/consumes directly (same major as the tutor itself), redis-py for the
# feature-store lesson's online store (`tutor.redis()`). redis-py 5.x: apache-flink's apache-beam
# 2.61 requires redis<6, and a newer pin makes pip fall back to beam 2.55 (and pyarrow 14).
_KERNEL_REQUIREMENTS = ("ipykernel==7.4.0", "confluent-kafka==2.16.1", "redis==5.3.1")

_FLINK_KAFKA = Jar(
    "org.apache.flink", "flink-sql-connector-kafka", "5.0.0-2.2", "7bf2ded1144cb8aece05adcaccbc81b2ac3ef339"
)
_SPARK_KAFKA = Jar("org.apache.spark", "spark-sql-kafka-0-10_2.13", "4.2.0", "98f199d5da59b1e152dae941cc5037a6495464ad")

# apache-flink 2.2.1: the curriculum's 2.2, latest patch. The official connector
# flink-sql-connector-kafka 5.0.0-2.2 is built against Flink 2.2.1 (its pom's flink.version);
# it is a shaded jar that carries kafka-clients, so nothing else is needed.
FLINK = Engine(
    name="flink",
    title="Apache Flink (PyFlink)",
    package="apache-flink",
    version="2.2.1",
    requirements=("apache-flink==2.2.1", *_KERNEL_REQUIREMENTS),
    python_versions=("3.9", "3.10", "3.11", "3.12"),
    connector=_FLINK_KAFKA,
    jars=(_FLINK_KAFKA,),
    provided=(),
    import_check="import pyflink.version, pyflink.table; print(pyflink.version.__version__)",
)

# Delta Lake for lesson 06's MERGE: delta-spark 4.4.0 is built for Spark 4.2 (its PyPI package pins
# pyspark<=4.2.0; 4.4.1 has no Maven jar). These two jars were enough for DeltaTable.merge, SQL
# MERGE INTO and txnAppId/txnVersion writes; the rest of delta-spark's Maven closure (kernel,
# Unity Catalog client, Jackson 2.13, parquet) is unused by them or already in pyspark/jars.
_DELTA = (
    Jar("io.delta", "delta-spark_4.2_2.13", "4.4.0", "c2ab26421b8de44a2161b5e0b7da7954049f1ca1"),
    Jar("io.delta", "delta-storage", "4.4.0", "a068e489ce20d7f79bc4ca2d3392f12adbb69ddd"),
)

# pyspark 4.2.0: the newest 4.x whose spark-sql-kafka-0-10_2.13 is on Maven Central
# (4.2.1 and 4.3.0 are on PyPI but have no connector release there).
SPARK = Engine(
    name="spark",
    title="Apache Spark (PySpark)",
    package="pyspark",
    version="4.2.0",
    # pandas and pyarrow (pyspark's `sql` extra, pinned to what it resolves to) for toPandas() and
    # Arrow-backed pandas UDFs; without them the DataFrame pane would have nothing to show.
    # delta-spark: the Python side of the Delta jars below (DeltaTable.merge), pure Python.
    # grpcio...zstandard: pyspark's `connect` extra (pinned to what it resolves to), for a
    # workshop's shared Spark Connect server: the kernel's client and the server's Python workers.
    requirements=(
        "pyspark==4.2.0",
        "pandas==3.1.1",
        "pyarrow==26.0.1",
        "delta-spark==4.4.0",
        "grpcio==1.85.3",
        "grpcio-status==1.85.3",
        "googleapis-common-protos==1.76.0",
        "protobuf==7.36.2",
        "zstandard==0.25.0",
        *_KERNEL_REQUIREMENTS,
    ),
    python_versions=("3.10", "3.11", "3.12", "3.13", "3.14"),
    connector=_SPARK_KAFKA,
    jars=(
        _SPARK_KAFKA,
        Jar(
            "org.apache.spark",
            "spark-token-provider-kafka-0-10_2.13",
            "4.2.0",
            "807ceb26e2fa509259e74a202d5f2d790446f515",
        ),
        Jar("org.apache.kafka", "kafka-clients", "3.9.2", "a06edbaa01458ed2e8cf1be69a18c2f231fda6e0"),
        Jar("org.apache.commons", "commons-pool2", "2.13.1", "cf7e8c0242d4c483c42c083b8188ab360ab60f9a"),
        *_DELTA,
    ),
    # The rest of the connector's runtime closure is already in pyspark/jars (same or newer
    # versions); a second copy on the classpath only invites version clashes.
    provided=(
        "org.apache.hadoop:hadoop-client-runtime",
        "org.apache.hadoop:hadoop-client-api",
        "org.apache.spark:spark-tags_2.13",
        "org.scala-lang:scala-library",
        "org.scala-lang.modules:scala-parallel-collections_2.13",
        "com.google.code.findbugs:jsr305",
        "at.yawk.lz4:lz4-java",
        "org.xerial.snappy:snappy-java",
        "org.slf4j:slf4j-api",
    ),
    import_check=(
        "import pandas, pyarrow, pyspark, pyspark.sql, delta.tables, pyspark.sql.connect.session; "
        "print(pyspark.__version__)"
    ),
    extras=_DELTA,
)

_SPARK_KAFKA_JARS = SPARK.jars[:4]  # the connector's closure, without Delta

# Both engines in one environment, for the capstone that runs the same window in pandas, PyFlink and
# PySpark over the same events. pip resolves the two together: apache-flink 2.2.1 caps pandas (<2.3)
# and, through apache-beam 2.61, pyarrow (<17); pyspark needs neither for what the capstone does
# (its Arrow paths, off by default, want pyarrow >= 18). Spark's Kafka jars are the Maven root; the
# shaded Flink connector is taken as it is.
FLINK_SPARK = Engine(
    name="flink-spark",
    title="Apache Flink + Apache Spark (PyFlink, PySpark)",
    package="pyspark",
    version=SPARK.version,
    requirements=(
        "pyspark==4.2.0",
        "apache-flink==2.2.1",
        "pandas==2.2.3",
        "pyarrow==16.1.0",
        "numpy==2.1.3",
        *_KERNEL_REQUIREMENTS,
    ),
    python_versions=("3.10", "3.11", "3.12"),
    connector=_SPARK_KAFKA,
    jars=(*_SPARK_KAFKA_JARS, _FLINK_KAFKA),
    provided=SPARK.provided,
    import_check="import pandas, pyflink.version, pyflink.table, pyspark.sql; print(pyspark.__version__)",
    extras=(_FLINK_KAFKA,),
)

ENGINES: dict[str, Engine] = {engine.name: engine for engine in (FLINK, SPARK, FLINK_SPARK)}
