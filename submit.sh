#!/usr/bin/env bash
# Launches a job, the separation job by default or the depth job with conf/depth.conf: on embedded
# local Spark with plain java (the default), or through spark-submit for any other master. Builds
# the project first when the jars are missing or older than the sources.
# `./submit.sh report RUN_FOLDER` regenerates a finished run's report and plots.
# Run ./submit.sh --help for the options.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JOBS_TARGET="$ROOT/jobs/target"
LOCAL_JAR="$JOBS_TARGET/kvcache-jobs.jar"
MAIN_CLASS="dev.kvcache.jobs.Main"
REPORT_CLASS="dev.kvcache.jobs.ReportMain"
DEFAULT_CONFIG="$ROOT/conf/separation.conf"

usage() {
  cat <<'USAGE'
Usage: ./submit.sh [CONFIG] [options] [-- spark-submit options]
       ./submit.sh report RUN_FOLDER

Runs the separation job (Monte Carlo check of adaptive versus oblivious KV-cache controllers),
or the depth job (depth, cache and bandwidth bounds) when CONFIG sets job = depth, as
conf/depth.conf does. Without CONFIG it runs conf/separation.conf, or conf/depth.conf when
--set job=depth is given, on embedded Spark with local[*]; only Java 17 and Maven are needed,
and the project is built first when needed.

Arguments:
  CONFIG                 Experiment file (HOCON) overriding conf/defaults.conf.

Options:
  --set KEY=VALUE        Override one configuration key, for example --set trials=1000000 or
                         --set grid.n=[4096]. Repeatable; applied after CONFIG, in order.
  --output DIR           Root folder of the run folders (local path or Hadoop URI such as
                         hdfs://host/path). Each run writes a new folder there. Default: results
  --master URL           Spark master. local[...] (default local[*]) runs embedded with plain
                         java; any other master (spark://..., yarn, k8s://...) runs through
                         spark-submit from $SPARK_HOME/bin or the PATH, with the application jar.
  --ui                   Start the Spark web UI (off by default; on 127.0.0.1 in local mode).
  --time-budget D        Stop cleanly after D (for example 90s, 45m or 2h): finished cells are
                         kept, the run is marked incomplete (exit code 4). Separation job only.
  --resume RUN_FOLDER    Finish a stopped run (a killed driver, or a time budget) in its folder,
                         with its own config.conf; finished cells are not run again. Separation
                         job only.
  --rebuild              Rebuild the jars before running, even when they look current.
  -h, --help             Print this help and exit.
  -- OPTIONS             Everything after -- goes to spark-submit (for example
                         --executor-memory 4g --conf spark.executor.cores=2). In local mode only
                         --driver-memory SIZE and --conf spark.KEY=VALUE are accepted.

Report:
  report RUN_FOLDER      Regenerate report.md, report.html and plots/ of a finished run from its
                         summary.json and config.conf, without running anything.

Exit codes:
  0  every verdict passed
  1  the run finished and at least one verdict failed
  2  invalid configuration or usage; nothing was written
  3  runtime failure
  4  the time budget ran out; the run is incomplete and --resume finishes it

Environment:
  SPARK_HOME             Where spark-submit is looked for first, for non-local masters.
  JAVA                   The java executable for local runs (default: java on the PATH).
USAGE
}

fail_usage() {
  echo "error: $1" >&2
  echo "Run ./submit.sh --help for the options." >&2
  exit 2
}

config=""
master=""
resume=""
rebuild=0
job_args=()
submit_args=()
report_args=()
report_mode=0
if [[ "${1:-}" == "report" ]]; then
  report_mode=1
  shift
  [[ $# -ge 1 ]] || fail_usage "report needs the run folder, for example ./submit.sh report results/separation-20261204-120000"
  report_args=("$@")
  set --
fi

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help)
      usage
      exit 0
      ;;
    --set|--output|--time-budget)
      [[ $# -ge 2 ]] || fail_usage "$1 needs a value"
      job_args+=("$1" "$2")
      shift 2
      ;;
    --resume)
      [[ $# -ge 2 ]] || fail_usage "--resume needs the run folder, for example --resume results/separation-20261204-120000"
      [[ -n "$2" ]] || fail_usage "--resume needs the run folder, for example --resume results/separation-20261204-120000"
      resume="$2"
      job_args+=("--resume" "$2")
      shift 2
      ;;
    --set=*|--output=*|--time-budget=*)
      job_args+=("$1")
      shift
      ;;
    --resume=*)
      resume="${1#--resume=}"
      job_args+=("--resume" "$resume")
      shift
      ;;
    --master)
      [[ $# -ge 2 ]] || fail_usage "--master needs a URL, for example local[2] or spark://127.0.0.1:7077"
      master="$2"
      shift 2
      ;;
    --master=*)
      master="${1#--master=}"
      shift
      ;;
    --ui)
      job_args+=("--ui")
      shift
      ;;
    --rebuild)
      rebuild=1
      shift
      ;;
    --)
      shift
      submit_args=("$@")
      break
      ;;
    -*)
      fail_usage "unknown option '$1'"
      ;;
    *)
      [[ -z "$config" ]] || fail_usage "only one CONFIG file may be given; got '$config' and '$1'"
      config="$1"
      shift
      ;;
  esac
done

config_args=()
if [[ -n "$resume" ]]; then
  [[ -z "$config" ]] || fail_usage "--resume takes the configuration from the run folder; drop CONFIG '$config'"
elif [[ $report_mode -eq 0 ]]; then
  if [[ -z "$config" ]]; then
    # Without CONFIG the default experiment is the separation job's, unless --set job=depth
    # selects the depth job, whose default experiment is conf/depth.conf.
    config="$DEFAULT_CONFIG"
    for arg in "${job_args[@]}"; do
      if [[ "$arg" =~ ^(--set=)?job[[:space:]]*=[[:space:]]*\"?depth\"?[[:space:]]*$ ]]; then
        config="$ROOT/conf/depth.conf"
      fi
    done
  fi
  if [[ ! -f "$config" ]]; then
    fail_usage "configuration file not found: $config"
  fi
  config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
  config_args=("$config")
fi

find_spark_submit() {
  if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
    spark_submit="$SPARK_HOME/bin/spark-submit"
  elif command -v spark-submit >/dev/null 2>&1; then
    spark_submit="$(command -v spark-submit)"
  else
    echo "error: master '$master' needs spark-submit, which was found neither in \$SPARK_HOME/bin" \
      "(SPARK_HOME=${SPARK_HOME:-unset}) nor on the PATH; install Spark 4 or set SPARK_HOME," \
      "or run with --master local[*]" >&2
    exit 2
  fi
}

local_mode=0
[[ -z "$master" || "$master" == local* ]] && local_mode=1
spark_submit=""
[[ $local_mode -eq 1 ]] || find_spark_submit

needs_build() {
  [[ $rebuild -eq 1 ]] && return 0
  [[ -f "$LOCAL_JAR" && -d "$JOBS_TARGET/lib" ]] || return 0
  [[ -n "$(ls "$JOBS_TARGET"/kvcache-jobs-*-app.jar 2>/dev/null)" ]] || return 0
  # Any source, resource or build file newer than the jar means the jar is stale.
  [[ -z "$(find "$ROOT/pom.xml" "$ROOT/engine/pom.xml" "$ROOT/jobs/pom.xml" "$ROOT/engine/src/main" \
      "$ROOT/jobs/src/main" "$ROOT/conf/defaults.conf" -newer "$LOCAL_JAR" -print -quit 2>/dev/null)" ]] || return 0
  return 1
}

if needs_build; then
  command -v mvn >/dev/null 2>&1 || { echo "error: Maven (mvn) is needed to build the project; install it and retry" >&2; exit 3; }
  echo "Building the project (mvn -DskipTests package)..." >&2
  if ! (cd "$ROOT" && mvn -B -q -DskipTests package -Dstyle.color=never >&2); then
    echo "error: the build failed; see the Maven output above" >&2
    exit 3
  fi
fi

# The commit of this checkout, for manifest.json; empty outside a git checkout.
if [[ -z "${KVCACHE_GIT_COMMIT:-}" ]] && command -v git >/dev/null 2>&1; then
  KVCACHE_GIT_COMMIT="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || true)"
  if [[ -n "$KVCACHE_GIT_COMMIT" && -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
    KVCACHE_GIT_COMMIT="$KVCACHE_GIT_COMMIT+modified"
  fi
fi
export KVCACHE_GIT_COMMIT="${KVCACHE_GIT_COMMIT:-}"

if [[ $report_mode -eq 1 ]]; then
  exec "${JAVA:-java}" @"$ROOT/conf/jvm-options.txt" -Djava.awt.headless=true \
    -Dlog4j.configurationFile="$ROOT/conf/log4j2.properties" \
    -cp "$JOBS_TARGET/lib/*:$LOCAL_JAR" "$REPORT_CLASS" "${report_args[@]}"
fi

if [[ $local_mode -eq 1 ]]; then
  java_bin="${JAVA:-java}"
  heap=()
  spark_conf=()
  i=0
  while [[ $i -lt ${#submit_args[@]} ]]; do
    option="${submit_args[$i]}"
    case "$option" in
      --driver-memory)
        [[ $((i + 1)) -lt ${#submit_args[@]} ]] || fail_usage "--driver-memory needs a size, for example 8g"
        size="${submit_args[$((i + 1))]}"
        # Spark needs a few hundred MB; below that the JVM or Spark fails before the job starts.
        megabytes=0
        if [[ "$size" =~ ^([0-9]{1,7})([mMgG])$ ]]; then
          megabytes=$((10#${BASH_REMATCH[1]}))
          case "${BASH_REMATCH[2]}" in g|G) megabytes=$((megabytes * 1024)) ;; esac
        fi
        if [[ $megabytes -lt 512 ]]; then
          fail_usage "invalid --driver-memory '$size'; give at least 512m, in m or g, for example 8g"
        fi
        heap=("-Xmx$size")
        i=$((i + 2))
        ;;
      --conf)
        [[ $((i + 1)) -lt ${#submit_args[@]} ]] || fail_usage "--conf needs spark.KEY=VALUE"
        pair="${submit_args[$((i + 1))]}"
        [[ "$pair" == spark.*=* ]] || fail_usage "invalid --conf '$pair'; write --conf spark.KEY=VALUE, for example --conf spark.sql.shuffle.partitions=4"
        spark_conf+=("--spark-conf" "$pair")
        i=$((i + 2))
        ;;
      *)
        fail_usage "spark-submit option '$option' applies only with a cluster master; in local mode use --driver-memory or --conf"
        ;;
    esac
  done
  run_tmp="$JOBS_TARGET/tmp"
  mkdir -p "$run_tmp"
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  master_args=()
  [[ -n "$master" ]] && master_args=("--master" "$master")
  exec "$java_bin" @"$ROOT/conf/jvm-options.txt" "${heap[@]}" \
    -Djava.io.tmpdir="$run_tmp" \
    -Dlog4j.configurationFile="$ROOT/conf/log4j2.properties" \
    -cp "$JOBS_TARGET/lib/*:$LOCAL_JAR" "$MAIN_CLASS" \
    "${config_args[@]}" "${master_args[@]}" "${job_args[@]}" "${spark_conf[@]}"
fi

app_jar="$(ls "$JOBS_TARGET"/kvcache-jobs-*-app.jar | head -n 1)"
exec "$spark_submit" --master "$master" --class "$MAIN_CLASS" "${submit_args[@]}" \
  "$app_jar" "${config_args[@]}" "${job_args[@]}"
