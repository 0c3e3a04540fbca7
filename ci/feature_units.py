"""Which units would `cargo build --bin brink` and maturin's `cargo rustc` compile
after `cargo test --release --no-run` built its tree? Cargo's -C metadata hash
covers a unit's package, features, profile, mode, target and its dependencies'
hashes, so a unit is shared only if the whole sub-tree below it is identical."""
import json,sys,subprocess,functools
def graph(d,args):
    out=subprocess.run(["cargo","+nightly"]+args+["-Z","unstable-options","--unit-graph","--locked"],capture_output=True,text=True,cwd=d)
    if out.returncode: print(out.stderr); sys.exit(1)
    g=json.loads(out.stdout)["units"]
    @functools.lru_cache(None)
    def key(i):
        u=g[i]
        own=(u["pkg_id"],tuple(u["features"]),u["platform"] or "",u["mode"],json.dumps(u["profile"],sort_keys=True),u["target"]["name"],u["target"]["kind"][0])
        return own+(tuple(sorted(key(dep["index"]) for dep in u["dependencies"])),)
    return {key(i):g[i] for i in range(len(g))}
d=sys.argv[1] if len(sys.argv)>1 else "."
test=graph(d,["test","--release","--no-run"])
for name,args in (("cargo build --release --bin brink",["build","--release","--bin","brink"]),
                  ("maturin (cargo rustc -p brink-py)",["rustc","--release","--lib","--manifest-path","python/Cargo.toml"])):
    o=graph(d,args)
    miss=[u for k,u in o.items() if k not in test]
    names=sorted({u["pkg_id"].split("#")[-1].split("/")[-1]+("(build)" if u["target"]["kind"][0]=="custom-build" else "") for u in miss})
    print(f"{name}: {len(o)} units, {len(miss)} not built by cargo test: {', '.join(names)}")
