# Builds the same addon as CMakeLists.txt with node-gyp (`npx node-gyp rebuild`).
# The source lists come from scripts/gyp-sources.js so that both builds compile the same files.
{
  "targets": [
    {
      # AVX2+FMA translation units, compiled with their own flags and linked into the addon.
      "target_name": "bntrain_avx2",
      "type": "static_library",
      "sources": ["<!@(node scripts/gyp-sources.js avx2)"],
      "include_dirs": ["native"],
      "cflags_cc": ["-std=c++17", "-O3", "-fPIC", "-mavx2", "-mfma", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "bntrain",
      "sources": ["<!@(node scripts/gyp-sources.js portable)"],
      "dependencies": [
        "bntrain_avx2",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "include_dirs": ["native"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "BNTRAIN_BUILD_SYSTEM=\"node-gyp\""
      ],
      "libraries": ["-lpthread"]
    }
  ]
}
