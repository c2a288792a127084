"""kvmrun_test: kvmrun configs as one Bazel test, sharded by Bazel.

kvmrun speaks Bazel's test protocol itself (see kvmrun(1), ENVIRONMENT):
it runs the configs of its shard (TEST_SHARD_INDEX, TEST_TOTAL_SHARDS),
writes test.xml (XML_OUTPUT_FILE) with a test case per config, keeps each
config's report and console as undeclared outputs, takes --test_filter as
--only, and where /dev/kvm cannot be used writes the reason to
TEST_INFRASTRUCTURE_FAILURE_FILE. This rule only finds the files.
"""

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _repo_dir(f):
    """The folder, from the test's working directory, of (f)'s repository."""
    if f.short_path.startswith("../"):
        return "../" + f.short_path.split("/")[1]
    return "."

def _kvmrun_test_impl(ctx):
    kvmrun = ctx.executable.kvmrun
    configs = ctx.files.srcs

    # An image is found next to its config, else from the root of each
    # repository that gives data: a config may say "elf: guests/x.elf".
    roots = {}
    for f in ctx.files.data:
        roots[_repo_dir(f)] = True
    path = ":".join(['"$PWD"/' + _shell_quote(r) for r in roots.keys()])
    script = ctx.actions.declare_file(ctx.label.name + ".kvmrun-test.sh")
    ctx.actions.write(
        output = script,
        is_executable = True,
        content = "\n".join([
            "#!/bin/sh",
            "# kvmrun_test " + str(ctx.label) + ": Bazel runs it in the runfiles.",
            "KVMRUN_PATH=" + (path or '"$PWD"') + "${KVMRUN_PATH:+:$KVMRUN_PATH}",
            "export KVMRUN_PATH",
            "exec " + " ".join(
                [_shell_quote(kvmrun.short_path)] +
                (["--check"] if ctx.attr.check else []) +
                ['"$@"'] +
                [_shell_quote(c.short_path) for c in configs],
            ),
            "",
        ]),
    )
    runfiles = ctx.runfiles(files = [kvmrun] + configs + ctx.files.data)
    runfiles = runfiles.merge(ctx.attr.kvmrun[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

_kvmrun_test = rule(
    implementation = _kvmrun_test_impl,
    test = True,
    attrs = {
        "srcs": attr.label_list(
            allow_files = [".yaml", ".yml"],
            mandatory = True,
            doc = "The configs: one, or a folder's as glob([\"dir/*.yaml\"]).",
        ),
        "data": attr.label_list(
            allow_files = True,
            doc = "The images the configs load, and anything else they read.",
        ),
        "check": attr.bool(
            default = False,
            doc = "Run kvmrun --check: validate and plan, no guest, no /dev/kvm.",
        ),
        "kvmrun": attr.label(
            default = Label("//:kvmrun"),
            executable = True,
            cfg = "target",
            allow_files = True,
            doc = "The kvmrun under test: by default the one of the " +
                  "repository that gives this file.",
        ),
    },
)

def kvmrun_test(name, srcs, data = [], check = False, tags = [], **kwargs):
    """Configs run by kvmrun as one test.

    Args:
      name: the test's name.
      srcs: the configs (a folder's: glob(["configs/*.yaml"])).
      data: the images they load.
      check: validate only (kvmrun --check), which needs no /dev/kvm.
      tags: as for any test; "requires-kvm" is added unless check is
        set, for remote executors and --test_tag_filters to see.
      **kwargs: shard_count, size, timeout, args, exec_properties, ... as
        for any test.
    """
    if not check and "requires-kvm" not in tags:
        tags = tags + ["requires-kvm"]
    _kvmrun_test(name = name, srcs = srcs, data = data, check = check,
                 tags = tags, **kwargs)
