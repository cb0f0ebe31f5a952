-- Argo CD health of the operator's kinds (IAMRole, Lambda, Agent, Flow, Prompt, Guardrail, ActionGroup, AgentKnowledgeBaseAssociation of
-- bedrockforge.io), read from
-- the conditions the operator writes:
--   Healthy      Ready is True for the object's current generation, and Synced is not False;
--   Progressing  the operator has not reconciled this generation yet, or it is waiting for
--                something (reasons Waiting*, *Busy, UpdateInProgress) or for AWS to settle;
--   Degraded     Synced is False for any other reason: the operator's message says what to fix.
-- Install: README, "GitOps with Argo CD". Written for Argo CD's Lua 5.1 (gopher-lua).
local hs = { status = "Progressing", message = "Waiting for the operator to reconcile this resource" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end

local ready = nil
local synced = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then ready = condition end
  if condition.type == "Synced" then synced = condition end
end

-- A condition speaks for the current spec only if the operator saw this generation.
local function current(condition)
  if condition == nil then return false end
  if obj.metadata == nil or obj.metadata.generation == nil or condition.observedGeneration == nil then return true end
  return condition.observedGeneration >= obj.metadata.generation
end

local function waiting(reason)
  return string.find(reason, "^Waiting") ~= nil or string.find(reason, "Busy$") ~= nil or reason == "UpdateInProgress"
end

local function describe(condition)
  if condition.message ~= nil and condition.message ~= "" then
    return (condition.reason or "") .. ": " .. condition.message
  end
  return condition.reason or ""
end

if synced ~= nil and synced.status == "False" and current(synced) then
  if waiting(synced.reason or "") then
    hs.status = "Progressing"
  else
    hs.status = "Degraded"
  end
  hs.message = describe(synced)
  return hs
end

if ready ~= nil and current(ready) then
  if ready.status == "True" then
    hs.status = "Healthy"
    hs.message = "Ready"
  else
    hs.message = describe(ready)
  end
end
return hs
