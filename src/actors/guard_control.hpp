#pragma once
// The control commands of the group guard: `plan [group]`, `approve <group>
// [--plan ID]`, `discard <group>`, and the guard's part of `status`. Each returns a full reply
// line (control_ok / control_error).
#include "actors/interfaces.hpp"
#include "actors/sync_context.hpp"

#include <string>

namespace shopsync {

// Every held group's plan (or one group's, held or not): per store the levels that would change,
// up, down, to zero, the biggest changes; the plan's id; the trip, when tripped.
// `biggest`: how many of each store's largest changes to list.
std::string plan_reply(const sync_context& ctx, const std::string& group, std::size_t biggest = 10);
// Applies what the group owes now. With `plan_id`, only if it is still the plan the merchant
// saw: a plan made stale by later changes is refused (error "stale_plan", naming the new id).
std::string approve_reply(const sync_context& ctx, const router_actor& router, const std::string& group,
                          const std::string& plan_id);
std::string discard_reply(const sync_context& ctx, const router_actor& router, const std::string& group);
// `undo <group> --since T [--store S] [--apply]`: shopsync's own changes to each level since T
// (from the audit log), negated: the plan, and with `apply` each sent to its item actor. A
// one-way group (its Destinations follow the Source) is first held, planned with reason
// `undone`: the Destinations keep the restored levels until the merchant approves (they follow
// the Source again) or discards. `since`: unix seconds or ISO-8601.
std::string undo_reply(const sync_context& ctx, const router_actor& router, const std::string& group,
                       const std::string& since, const std::string& store, bool apply);
// `mappings`' JSON object of a group with its two-writer levels added ("two_writers": identity,
// store, location, fights, shopsync's value, the other writer's), when there are any.
std::string with_two_writers(std::string group_json, const sync_context& ctx, const std::string& group);

} // namespace shopsync
