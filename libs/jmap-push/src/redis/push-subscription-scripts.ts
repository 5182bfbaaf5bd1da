import { DELIVERY_FIELDS as F, RECORD_FIELDS } from './push-subscription-record';
import { RedisScript } from './redis-script';

/**
 * The Lua scripts of `RedisPushSubscriptionStore`: each step that reads and writes several keys runs as
 * one script, so nodes racing on the same subscription see it whole before or after, never in between.
 * Keys a script touches come in KEYS (never built inside the script). A step that must first look up
 * which keys it needs (a subscription's credential and accounts) passes what it read, and the script
 * answers -1 when that changed meanwhile: the caller reads again and retries.
 */

/** Helpers every script starts with. A pending push is `{ verification, changes: { account: { type: state } } }`. */
const PRELUDE = `
local function decode(json)
  if json then return cjson.decode(json) end
  return nil
end
-- \`newer\` wins per account and type; either may be nil.
local function merge_under(older, newer)
  if not older then return newer end
  if not newer then return older end
  local out = { verification = older.verification == true or newer.verification == true, changes = older.changes }
  for account, states in pairs(newer.changes) do
    local into = out.changes[account]
    if into then
      for type, state in pairs(states) do into[type] = state end
    else
      out.changes[account] = states
    end
  end
  return out
end
`;

/**
 * Stores a new subscription with its PushVerification pending, due at once.
 * KEYS: sub, credential set, credentials set, due, account sets...
 * ARGV: id, credentialId, now, pending JSON, record field/value pairs...
 * Returns 1, or 0 when the id is taken.
 */
export const CREATE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], '${F.pending}', ARGV[4], '${F.attempt}', '0', unpack(ARGV, 5))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
for i = 5, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return 1
`);

/**
 * Rewrites record fields; when the principal changes, moves the id between account sets and drops what is
 * pending for accounts it may no longer read.
 * KEYS: sub, due, account sets left (ARGV[3] of them), account sets joined...
 * ARGV: id, principal as read ('' when the principal is not changed), count of accounts left, JSON array
 * of accounts left, field/value pairs...
 * Returns 1, 0 when the subscription is gone, -1 when its principal changed since it was read.
 */
export const UPDATE = new RedisScript(`${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'principal') ~= ARGV[2] then return -1 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
local left = tonumber(ARGV[3])
for i = 3, 2 + left do redis.call('SREM', KEYS[i], ARGV[1]) end
for i = 3 + left, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
if left == 0 then return 1 end
local gone = cjson.decode(ARGV[4])
local state = redis.call('HMGET', KEYS[1], '${F.pending}', '${F.versions}', '${F.inFlight}')
if state[2] then
  local versions = cjson.decode(state[2])
  for _, account in ipairs(gone) do versions[account] = nil end
  redis.call('HSET', KEYS[1], '${F.versions}', cjson.encode(versions))
end
if state[1] then
  local pending = cjson.decode(state[1])
  for _, account in ipairs(gone) do pending.changes[account] = nil end
  if pending.verification or next(pending.changes) then
    redis.call('HSET', KEYS[1], '${F.pending}', cjson.encode(pending))
  else
    redis.call('HDEL', KEYS[1], '${F.pending}')
    if not state[3] then redis.call('ZREM', KEYS[2], ARGV[1]) end
  end
end
return 1
`);

/**
 * Erases a subscription: its hash (record, pending and in-flight pushes), its set memberships, its place
 * in the due queue.
 * KEYS: sub, credential set, credentials set, due, account sets...
 * ARGV: id, credentialId, credentialId field as read, principal field as read.
 * Returns 1, 0 when it was not there, -1 when it changed since it was read.
 */
export const DESTROY = new RedisScript(`
local current = redis.call('HMGET', KEYS[1], 'credentialId', 'principal')
if not current[1] then return 0 end
if current[1] ~= ARGV[3] or current[2] ~= ARGV[4] then return -1 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
for i = 5, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
redis.call('ZREM', KEYS[4], ARGV[1])
return 1
`);

/**
 * Merges changes into pending pushes. A change carrying a change-log id older than (or equal to) the
 * newest already merged for its account and type is dropped: consumers on several nodes may merge a
 * log's changes out of order, or twice. A subscription with nothing queued becomes due at `now`; one
 * already queued (backing off, or claimed) keeps its time (ZADD NX).
 * KEYS: due, subs...
 * ARGV: now, then per sub: id, count n, n times (account, states JSON, change id or '').
 * Returns how many changes merged into a push that was already pending (the pushesMerged counter).
 */
export const ADD_CHANGES = new RedisScript(`${PRELUDE}
local function parse_id(id)
  local ms, seq = string.match(id or '', '^(%d+)-(%d+)$')
  if ms then return tonumber(ms), tonumber(seq) end
  return nil
end
local function is_newer(id, than)
  local ms, seq = parse_id(id)
  local than_ms, than_seq = parse_id(than)
  if not ms or not than_ms then return true end
  return ms > than_ms or (ms == than_ms and seq > than_seq)
end
local cursor = 2
local merged = 0
for i = 2, #KEYS do
  local id, n = ARGV[cursor], tonumber(ARGV[cursor + 1])
  cursor = cursor + 2
  local state = redis.call('HMGET', KEYS[i], 'id', '${F.pending}', '${F.versions}')
  if state[1] then
    local was_pending = state[2] and true or false
    local pending = decode(state[2]) or { verification = false, changes = {} }
    local versions = decode(state[3]) or {}
    local changed, versioned = false, false
    for j = 1, n do
      local account, states, change_id = ARGV[cursor], cjson.decode(ARGV[cursor + 1]), ARGV[cursor + 2]
      cursor = cursor + 3
      local applied = false
      for type, value in pairs(states) do
        local seen = versions[account]
        if change_id == '' or is_newer(change_id, seen and seen[type]) then
          pending.changes[account] = pending.changes[account] or {}
          pending.changes[account][type] = value
          changed = true
          applied = true
          if change_id ~= '' then
            if not seen then seen = {} versions[account] = seen end
            seen[type] = change_id
            versioned = true
          end
        end
      end
      if applied and was_pending then merged = merged + 1 end
    end
    if changed then
      redis.call('HSET', KEYS[i], '${F.pending}', cjson.encode(pending))
      if versioned then redis.call('HSET', KEYS[i], '${F.versions}', cjson.encode(versions)) end
      redis.call('ZADD', KEYS[1], 'NX', ARGV[1], id)
    end
  else
    cursor = cursor + 3 * n
  end
end
return merged
`);

/**
 * Claims up to `limit` of the candidates still due, in order: pending moves to in-flight (merged over
 * what a worker whose lease ran out left there, which counts as a failed attempt), the lease token is
 * recorded, and the due time becomes the lease's end. A candidate another node claimed first is no
 * longer due, and is skipped.
 * KEYS: due, subs...
 * ARGV: now, lease end, lease token, limit, ids (in the order of the subs' keys)...
 * Returns per claim: { id, in-flight JSON, attempt, record fields (HMGET of RECORD_FIELDS) }.
 */
export const CLAIM = new RedisScript(`${PRELUDE}
local RECORD_FIELDS = { ${RECORD_FIELDS.map((field) => `'${field}'`).join(', ')} }
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[4])
local claims = {}
for i = 2, #KEYS do
  if #claims >= limit then break end
  local id = ARGV[i + 3]
  local score = redis.call('ZSCORE', KEYS[1], id)
  if score and tonumber(score) <= now then
    local state = redis.call('HMGET', KEYS[i], 'id', '${F.pending}', '${F.inFlight}', '${F.attempt}')
    if not state[1] or (not state[2] and not state[3]) then
      redis.call('ZREM', KEYS[1], id)
    else
      local held = cjson.encode(merge_under(decode(state[3]), decode(state[2])))
      local attempt = tonumber(state[4] or '0')
      -- Something still in flight here means its lease ran out: that attempt failed.
      if state[3] then attempt = attempt + 1 end
      redis.call('HSET', KEYS[i], '${F.inFlight}', held, '${F.lease}', ARGV[3], '${F.attempt}', attempt)
      redis.call('HDEL', KEYS[i], '${F.pending}')
      redis.call('ZADD', KEYS[1], ARGV[2], id)
      claims[#claims + 1] = { id, held, attempt, redis.call('HMGET', KEYS[i], unpack(RECORD_FIELDS)) }
    end
  end
end
return claims
`);

/**
 * Ends a claim. 'done': the in-flight push is dropped, attempts reset, and what arrived meanwhile is due
 * now (or the id leaves the queue). 'retry': the in-flight push merges back under what arrived meanwhile,
 * one more attempt is counted, and it is due at `at`. Ignored when the subscription is gone, holds
 * nothing in flight, or was claimed since by another lease (ARGV[5] set and not the lease's token).
 * KEYS: sub, due
 * ARGV: id, 'done' | 'retry', now, at, lease token or ''.
 * Returns 1 when applied, else 0.
 */
export const SETTLE = new RedisScript(`${PRELUDE}
local state = redis.call('HMGET', KEYS[1], '${F.inFlight}', '${F.pending}', '${F.lease}')
if not state[1] then return 0 end
if ARGV[5] ~= '' and state[3] ~= ARGV[5] then return 0 end
redis.call('HDEL', KEYS[1], '${F.inFlight}', '${F.lease}')
if ARGV[2] == 'done' then
  redis.call('HSET', KEYS[1], '${F.attempt}', '0')
  if state[2] then
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  else
    redis.call('ZREM', KEYS[2], ARGV[1])
  end
else
  redis.call('HSET', KEYS[1], '${F.pending}', cjson.encode(merge_under(decode(state[1]), decode(state[2]))))
  redis.call('HINCRBY', KEYS[1], '${F.attempt}', 1)
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
end
return 1
`);

/**
 * Deletes a consumer of the group only while it holds no entries: XGROUP DELCONSUMER drops a consumer's
 * pending entries for good, so the check and the deletion must be one step.
 * KEYS: change log
 * ARGV: group, consumer.
 * Returns 1 when deleted, else 0.
 */
export const DELETE_IDLE_CONSUMER = new RedisScript(`
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`);
