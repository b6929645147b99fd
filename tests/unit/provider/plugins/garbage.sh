#!/bin/sh
# Answers something that is not JSON.
cat >/dev/null
echo 'Created instance i-0abc (this is not JSON) {'
