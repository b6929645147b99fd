#!/bin/sh
# Dies of a segmentation fault halfway through its answer.
echo "oops: something went wrong" >&2
printf '{"ok":tr'
kill -SEGV $$
