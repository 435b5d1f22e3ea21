-- GCRA in one atomic step. KEYS[1]: the counter key.
-- ARGV[1]: emission interval in microseconds (60 s / limit); ARGV[2]: the limit (burst).
-- Returns {allowed (0|1), remaining, retry_after_us, reset_after_us}.
-- Redis's own clock, so that every replica agrees on "now" whatever its own clock says.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local tolerance = interval * limit
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then
  tat = now
end
local new_tat = tat + interval
local allow_at = new_tat - tolerance
if allow_at > now then
  return {0, 0, allow_at - now, tat - now}
end
-- '%.0f': Lua would print a 16-digit number in exponent form and lose precision.
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
local remaining = math.floor((now + tolerance - new_tat) / interval)
return {1, remaining, 0, new_tat - now}
