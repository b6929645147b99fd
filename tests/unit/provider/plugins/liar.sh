#!/bin/sh
# Claims success, then exits with a failure status.
cat >/dev/null
echo '{"ok":true,"id":"vm-1","resource":{}}'
exit 3
