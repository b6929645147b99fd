#!/bin/sh
# An --alert-command: wf-run starts it once per alert with the alert's JSON on stdin (no shell in
# between: it is run as `notify.sh`, arguments split as written). Appends one line per alert to
# $WF_ALERT_LOG (default ./alerts.log) and, when ALERT_MAIL_TO is set and mail(1) exists, mails it.
# Exits non-zero on a problem: wf-run then prints a warning with the first line of its output.
set -eu
alert=$(cat)
log=${WF_ALERT_LOG:-alerts.log}
if command -v jq >/dev/null 2>&1; then
  line=$(printf '%s\n' "$alert" | jq -r '"\(.time) \(.severity) \(.workflow)/\(.task) [\(.kind)] \(.message)"')
else
  line=$alert
fi
printf '%s\n' "$line" >>"$log"
if [ -n "${ALERT_MAIL_TO:-}" ] && command -v mail >/dev/null 2>&1; then
  printf '%s\n\n%s\n' "$line" "$alert" | mail -s "wf alert: $(printf '%s' "$line" | cut -c1-60)" "$ALERT_MAIL_TO"
fi
