{
  "targets": [
    {
      "target_name": "skcdf_native",
      "sources": ["<!@(node -p \"require('fs').readFileSync('native/sources.txt','utf8').trim().split(/\\s+/).join(' ')\")"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node scripts/libtorch.mjs include)",
        "<!(node scripts/libtorch.mjs apiInclude)",
        "<!(node scripts/libtorch.mjs glooInclude)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "<!@(node scripts/libtorch.mjs defines)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter"],
      "ldflags": ["-Wl,-rpath,<!(node scripts/libtorch.mjs lib)"],
      "libraries": [
        "-L<!(node scripts/libtorch.mjs lib)",
        "-Wl,--no-as-needed",
        "<!@(node scripts/libtorch.mjs libs)",
        "-Wl,--as-needed"
      ]
    }
  ]
}
