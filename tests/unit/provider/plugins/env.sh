#!/bin/sh
# Answers with the names of the environment variables it was given (the shell's own left out).
cat >/dev/null
names=$(env | cut -d= -f1 | grep -v -e '^PWD$' -e '^SHLVL$' -e '^_$' -e '^OLDPWD$' | sort | tr '\n' ' ')
echo "{\"ok\":true,\"id\":\"env\",\"resource\":{\"names\":\"$names\"}}"
