# lit configuration for Immune's IR-level tests. Substitutions:
#   %opt_immune     opt with the plugin loaded, running -passes=immune
#   %clang_immune   clang with the plugin as -fpass-plugin (and -load, so
#                   -mllvm -immune-* options are known), Immune's headers
#   %immune_plugin  the plugin's path
import os
import lit.formats

config.name = "Immune"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".ll", ".c", ".cpp"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.immune_obj_root, "tests", "lit")

# Hermetic: selection must come only from what each RUN line says.
for var in ("IMMUNE_POLICY", "IMMUNE_PROTECT_ALL", "IMMUNE_OPTIONS"):
    config.environment.pop(var, None)
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])

plugin = config.immune_plugin
include = os.path.join(config.immune_src_root, "include")
opt = os.path.join(config.llvm_tools_dir, "opt")
clang = os.path.join(config.llvm_tools_dir, "clang")
config.substitutions.append(("%immune_plugin", plugin))
config.substitutions.append(
    ("%opt_immune", f"{opt} -load-pass-plugin={plugin} -passes=immune"))
config.substitutions.append(
    ("%clang_immune",
     f"{clang} -fno-discard-value-names -fpass-plugin={plugin} -Xclang -load -Xclang {plugin} -I{include}"))
