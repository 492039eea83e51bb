# Sourced by the e2e scripts (after they set $root): builds the service and the load generator in
# Release and sets $pipeline and $load to their dlls.
dotnet build "$root/src/Ingest" -c Release -v quiet -nologo >/dev/null
dotnet build "$root/loadtests/Pipeline.LoadTests" -c Release -v quiet -nologo >/dev/null
pipeline="$root/src/Ingest/bin/Release/net10.0/pipeline.dll"
load="$root/loadtests/Pipeline.LoadTests/bin/Release/net10.0/pipeline-load.dll"
