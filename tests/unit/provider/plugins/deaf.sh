#!/bin/sh
# Answers without reading its input (a large request then meets a closed pipe).
echo '{"ok":true,"id":"deaf-1","resource":{}}'
