import sys, json, random, datetime
# usage: gen_wide.py W -> schema s/wideW.yml ; gen_wide.py W data N fill hours out
W = int(sys.argv[1])
TYPES = ["string", "bigint", "float", "boolean", "string_ip", "string_email", "timestamp", "json", "int"]
def ftype(i):
    return TYPES[i % len(TYPES)]
if sys.argv[2] == "schema":
    lines = [f"schema: Custom.Wide{W}", "fields:",
             "  - name: ts", "    type: timestamp", "    timeFormat: rfc3339", "    isEventTime: true", "    required: true"]
    for i in range(W):
        t = ftype(i)
        lines.append(f"  - name: f{i}")
        if t == "string_ip":
            lines += ["    type: string", "    indicators: [ip]"]
        elif t == "string_email":
            lines += ["    type: string", "    indicators: [email]"]
        elif t == "timestamp":
            lines += ["    type: timestamp", "    timeFormat: rfc3339"]
        else:
            lines.append(f"    type: {t}")
    open(sys.argv[3], "w").write("\n".join(lines) + "\n")
    sys.exit()
N = int(sys.argv[3]); fill = float(sys.argv[4]); hours = int(sys.argv[5]); out = sys.argv[6]
rnd = random.Random(1)
base = datetime.datetime(2024, 1, 1)
def val(i, t, r):
    if t == "string": return f"value-{r}-{i}"
    if t == "bigint": return r * 1000 + i
    if t == "int": return (r + i) % 100000
    if t == "float": return r / 7.0 + i
    if t == "boolean": return (r + i) % 2 == 0
    if t == "string_ip": return f"10.{i%256}.{r%256}.{(r//256)%256}"
    if t == "string_email": return f"u{r%1000}@ex{i%50}.com"
    if t == "timestamp": return "2024-01-01T00:00:00Z"
    if t == "json": return {"k": r, "a": [i, "x"]}
with open(out, "w") as f:
    for r in range(N):
        ts = base + datetime.timedelta(seconds=int(r * hours * 3600 / N))
        rec = {"ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if fill >= 1:
            idx = range(W)
        else:
            idx = rnd.sample(range(W), int(W * fill))
        for i in idx:
            rec[f"f{i}"] = val(i, ftype(i), r)
        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
