# The capacity model of docs/capacity.md, computed from one bench results file (a run with
# --only end-to-end,retention --postgres CONN --postgres-nodes 2), so that a new run refreshes every figure:
#
#   jq -r -f bench/capacity.jq bench/results/<run>.json
#   jq -r --argjson peak 3 --argjson utilisation 0.6 --argjson days 30 --argjson nodeCores 4 -f bench/capacity.jq <run>.json
#
# Measured inputs are read from the run's keys; the four assumptions are arguments (defaults below), printed with the
# output. Everything derived is arithmetic on those: CPU per delivery times a rate, bytes per delivery times a count.

def arg(name; default): $ARGS.named[name] // default;
def r0: if . == null then "—" else (. | round | tostring) end;
def r1: if . == null then "—" else ((. * 10 | round) / 10 | tostring) end;
def r2: if . == null then "—" else ((. * 100 | round) / 100 | tostring) end;
def gb: if . == null then null else . / 1e9 end;
def mb: if . == null then null else . / 1e6 end;
def perday: 86400;

(arg("peak"; 3)) as $peak
| (arg("utilisation"; 0.6)) as $use
| (arg("days"; 30)) as $days
| (arg("nodeCores"; 4)) as $nodeCores
| .endToEnd as $s
| .endToEnd.postgres as $p
| (.endToEnd.postgres.multiNode // null) as $m
| .retention as $ret
| [1e7, 1e8, 1e9] as $volumes
| ($s.cpuMicrosPerDelivery) as $sCpu
| ($p.cpuMicrosPerDelivery) as $pCpu
| ($p.databaseCpuMicrosPerDelivery) as $pDb
| ($m.cpuMicrosPerDelivery // $pCpu) as $mCpu
| ($m.databaseCpuMicrosPerDelivery // $pDb) as $mDb
| def cores($rate; $micros): if $micros == null then null else $rate * $micros / 1e6 / $use end;
  def perCoreDay($micros): if $micros == null then null else perday * 1e6 / $micros end;
[
  "Run: commit \(.commit[0:12] // "?")\(if .dirty then " (dirty)" else "" end), started \(.startedAt), \(.machine.cores) cores (\(.machine.cpu // "?")), quick: \(.quick)",
  "Assumptions: peak = \($peak) x the day's average rate; cores planned at \($use * 100 | round) % busy; \($days)-day retention; \($nodeCores)-core nodes.",
  "",
  "| measured input | key | value |",
  "|---|---|---:|",
  "| SQLite: service CPU per delivery (SQLite inside), µs | `endToEnd.cpuMicrosPerDelivery` | \($sCpu | r0) |",
  "| SQLite: bytes written to storage per delivery (WAL + checkpoints) | `endToEnd.walBytesPerDelivery` | \($s.walBytesPerDelivery | r0) |",
  "| SQLite: stored bytes per delivery | `endToEnd.storedBytesPerDelivery` | \($s.storedBytesPerDelivery | r0) |",
  "| SQLite: end-to-end deliveries/s on this machine (all its cores shared with the load and the receiver) | `endToEnd.deliveriesPerSecond` | \($s.deliveriesPerSecond | r0) |",
  "| PostgreSQL, 1 node: service CPU per delivery, µs | `endToEnd.postgres.cpuMicrosPerDelivery` | \($pCpu | r0) |",
  "| PostgreSQL, 1 node: database CPU per delivery, µs | `endToEnd.postgres.databaseCpuMicrosPerDelivery` | \($pDb | r0) |",
  "| PostgreSQL, 1 node: WAL bytes per delivery | `endToEnd.postgres.walBytesPerDelivery` | \($p.walBytesPerDelivery | r0) |",
  "| PostgreSQL: stored bytes per delivery, as left / after VACUUM FULL | `endToEnd.postgres.storedBytesPerDelivery`, `.compactStoredBytesPerDelivery` | \($p.storedBytesPerDelivery | r0) / \($p.compactStoredBytesPerDelivery | r0) |",
  "| PostgreSQL, 1 node: deliveries/s, ÷ SQLite | `endToEnd.postgres.deliveriesPerSecond`, `.sqliteRatio` | \($p.deliveriesPerSecond | r0), \($p.sqliteRatio | r2) |",
  "| PostgreSQL, \($m.nodes // "—") nodes: service CPU per delivery (all nodes), µs | `endToEnd.postgres.multiNode.cpuMicrosPerDelivery` | \($m.cpuMicrosPerDelivery | r0) |",
  "| PostgreSQL, \($m.nodes // "—") nodes: database CPU per delivery, µs | `endToEnd.postgres.multiNode.databaseCpuMicrosPerDelivery` | \($m.databaseCpuMicrosPerDelivery | r0) |",
  "| PostgreSQL, \($m.nodes // "—") nodes: WAL bytes per delivery | `endToEnd.postgres.multiNode.walBytesPerDelivery` | \($m.walBytesPerDelivery | r0) |",
  "| SQLite: retention purge, ended deliveries deleted per second while intake runs | `retention.purgedPerSecond` | \($ret.purgedPerSecond | r0) |",
  "",
  "| per core per day (at 100 % busy) | deliveries |",
  "|---|---:|",
  "| SQLite node (service with SQLite inside) | \(perCoreDay($sCpu) | mb | r0) million |",
  "| PostgreSQL, service core, 1 node | \(perCoreDay($pCpu) | mb | r0) million |",
  "| PostgreSQL, database core, 1 node | \(perCoreDay($pDb) | mb | r0) million |",
  "| PostgreSQL, service + database, 1 node | \(perCoreDay(($pCpu // 0) + ($pDb // 0)) | mb | r0) million |",
  "| PostgreSQL, service core, \($m.nodes // "—") nodes | \(perCoreDay($mCpu) | mb | r0) million |",
  "| PostgreSQL, database core, \($m.nodes // "—") nodes | \(perCoreDay($mDb) | mb | r0) million |",
  "",
  "| deliveries a day | average / peak per s | SQLite: cores; stored; written per day | PostgreSQL: service cores (\($nodeCores)-core nodes); database cores | PostgreSQL: WAL per day; peak WAL MB/s | PostgreSQL: stored (compact – as left) |",
  "|---:|---:|---|---|---|---|",
  ($volumes[] as $v
    | ($v / perday) as $avg
    | ($avg * $peak) as $top
    | (if $top > ($s.deliveriesPerSecond // 0) then " (peak above the measured single-writer rate)" else "" end) as $sqliteNote
    | (cores($top; $pCpu)) as $one
    | (if ($one // 0) > $nodeCores then cores($top; $mCpu) else $one end) as $svc
    | (if ($one // 0) > $nodeCores then cores($top; $mDb) else cores($top; $pDb) end) as $db
    | (if ($one // 0) > $nodeCores then ($m.walBytesPerDelivery // $p.walBytesPerDelivery) else $p.walBytesPerDelivery end) as $wal
    | "| \($v | mb | r0) million | \($avg | r0) / \($top | r0) | \(cores($top; $sCpu) | r1)\($sqliteNote); \($v * $days * $s.storedBytesPerDelivery | gb | r0) GB; \($v * $s.walBytesPerDelivery | gb | r0) GB | \($svc | r1) (\(if $svc == null then "—" else ([($svc / $nodeCores | ceil), 1] | max) as $n | "\($n) node\(if $n > 1 then "s" else "" end)" end)); \($db | r1) | \($v * $wal | gb | r0) GB; \($top * $wal | mb | r1) | \($v * $days * $p.compactStoredBytesPerDelivery | gb | r0) – \($v * $days * $p.storedBytesPerDelivery | gb | r0) GB |"),
  "",
  "Beyond one node (service cores above \($nodeCores)) the rows use the \($m.nodes // "—")-node costs per delivery."
] | .[]
