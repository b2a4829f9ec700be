#!/bin/sh
# Runs the upload job worker (`flask jobs work`, quizapp/services/jobs.py) beside a web server
# command and stops it when that command ends: `make run` and `make serve` stay one command.
# Usage: scripts/with-worker.sh FLASK_COMMAND... -- SERVER_COMMAND...
set -u
flask_cmd=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flask_cmd="$flask_cmd $1"; shift; done
[ $# -gt 0 ] && shift
$flask_cmd jobs work &
worker=$!
# The worker finishes the upload it is running (SIGTERM); one cut off by a crash runs again later.
trap 'kill -TERM "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$@"
