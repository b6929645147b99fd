#!/bin/sh
# Never answers; leaves a grandchild in its process group (its pid in $WF_PROVIDER_STATE/grandchild).
sleep 300 &
echo $! > "${WF_PROVIDER_STATE:?}/grandchild"
sleep 300
