#!/bin/sh
# Echoes its token ($SITE_API_TOKEN) back everywhere: on stderr, in resource reports, listings and
# error messages. create succeeds (unless LEAKY_CREATE_FAILS is set); delete always fails;
# with LEAKY_GARBAGE set it answers something that is not JSON (so its stderr is quoted to the user).
req=$(cat)
echo "debug: calling the cloud with token $SITE_API_TOKEN" >&2
[ -n "${LEAKY_GARBAGE:-}" ] && { echo "token $SITE_API_TOKEN is not an answer"; exit 1; }
refuse() { echo "{\"ok\":false,\"error\":{\"code\":\"denied\",\"message\":\"token $SITE_API_TOKEN was refused\"}}"; }
case $req in
*'"op":"create"'*)
  if [ -n "${LEAKY_CREATE_FAILS:-}" ]; then refuse
  else echo "{\"ok\":true,\"id\":\"vm-1\",\"resource\":{\"auth\":\"Bearer $SITE_API_TOKEN\"}}"; fi ;;
*'"op":"list"'*) echo "{\"ok\":true,\"resources\":[{\"id\":\"vm-1\",\"resource\":{\"url\":\"https://x/?t=$SITE_API_TOKEN\"}}]}" ;;
*) refuse ;;
esac
