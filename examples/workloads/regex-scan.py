"""Python twin of regex-scan.mjs with `re`: same params, same checksum (see there)."""
import hashlib
import re

ID = 'examples/regex-scan'
LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']
METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']
PATHS = ['/api/jobs', '/api/jobs/42', '/api/history', '/api/workloads', '/healthz', '/api/runners']
STATUSES = [200, 200, 200, 201, 204, 304, 400, 404, 500, 503]
PATTERN = re.compile(r'^\S+ (?:WARN|ERROR|INFO|DEBUG) (worker-\d+) (GET|POST|PUT|DELETE) (\S+) (5\d\d|[1-4]\d\d \d{4,}ms)', re.ASCII)
MASK = 0xFFFFFFFF


def _log_lines(count):
    x = 2463534242

    def draw():
        nonlocal x
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
        return x
    lines = []
    for _ in range(count):
        s = draw()
        level, worker, method = LEVELS[draw() % 7], draw() % 16, METHODS[draw() % 6]
        path, status = PATHS[draw() % 6], STATUSES[draw() % 10]
        s %= 86400
        lines.append('2026-11-30T%02d:%02d:%02dZ %s worker-%d %s %s %d %dms' % (s // 3600, (s // 60) % 60, s % 60, level, worker, method, path, status, draw() % 5000))
    return lines


def run(params, task):
    log = _log_lines(params['lines'])
    counts = {}
    for _ in range(params['passes']):
        counts = {}
        for line in log:
            m = PATTERN.match(line)
            if m is None:
                continue
            key = '%s %s %s %s' % (m.group(1), m.group(2), m.group(3), m.group(4) if len(m.group(4)) == 3 else 'slow')
            counts[key] = counts.get(key, 0) + 1
    out = ['%s=%d' % (k, counts[k]) for k in sorted(counts)]
    return hashlib.sha256('\n'.join(out).encode('utf-8')).hexdigest()
