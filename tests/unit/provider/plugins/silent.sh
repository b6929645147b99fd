#!/bin/sh
# Says nothing at all, and succeeds.
cat >/dev/null
exit 0
