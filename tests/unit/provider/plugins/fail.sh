#!/bin/sh
# Refuses everything, permanently.
cat >/dev/null
echo '{"ok":false,"error":{"code":"quota_exceeded","message":"no more vms in this account","retryable":false}}'
