"""The Person agent of the Mesa reference model.

A person sits on one node of the network. Everything a person holds about another lives on a
directed tie, so the Numba core can keep it in flat arrays indexed by CSR position:

- ``views[seeker]``: a contact's answer to a neighbour's ask and the pity it heard about them;
- ``relay[teller]``: the seeker, not a neighbour of mine, whose specific ask this neighbour
  (an acting contact of theirs) told me about;
- ``owes[other]``: favours I owe (the help-bank ledger).

Every draw comes from the model's ``random`` so one seed fixes a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mesa.discrete_space import FixedAgent

from sim.model.interventions import OTHER, TREATED, shifted
from sim.model.results import A_UNEMPLOYED, G_UNEMPLOYED
from sim.model.rules import (
    ACTION,
    DIRECT,
    EARS_OPEN,
    INTRO,
    LEAD,
    SYMPATHY,
    UNAWARE,
    fit,
    p_action,
    p_ears_open,
    p_hire,
    p_pass,
)

if TYPE_CHECKING:
    from sim.model.mesa_model import JobSearchModel
    from sim.model.population import Population


@dataclass
class View:
    """One contact's view of one neighbouring seeker during the seeker's current spell."""

    state: int = UNAWARE
    pity: float = 0.0


class Person(FixedAgent):
    """A person: employed or seeking, a contact for others, maybe a help-banker."""

    model: JobSearchModel

    def __init__(
        self,
        model: JobSearchModel,
        cell: Any,
        *,
        employed: bool,
        experienced: bool,
        help_banker: bool,
    ) -> None:
        super().__init__(model)
        self.cell = cell
        self.node: int = cell.coordinate
        p = model.params
        self.employed: bool = employed
        self.employed_at_start: bool = employed
        self.weeks_unemployed: int = 0 if employed else 1  # completed weeks of the spell
        self.spell_start: int = 0  # week the current spell began
        self.ever_unemployed: bool = experienced or not employed
        self.experienced_at_start: bool = self.ever_unemployed
        self.reputation: float = 0.0
        # the strategy: this node's in the model's population (sim.model.population)
        self.group: int = int(model.population.group[self.node])
        self.specificity: float = 0.0
        self.positivity: float = 0.0
        self.asks_per_week: int = 0
        self.ask_as(model.population)
        self.arm: int = OTHER  # in a programme (sim.model.interventions)
        self.targeting: str = p.targeting
        self.help_banker: bool = help_banker
        self.help_banker_at_start: bool = help_banker
        self.replaced: bool = False  # this node's week-0 occupant has left the labour force
        self.contacts: list[Person] = []  # filled by the model once every person exists
        self.tie: dict[int, int] = {}
        self.asked: set[int] = set()
        self.views: dict[int, View] = {}
        self.relay: dict[int, int] = {}  # teller -> the non-neighbour seeker they told me about
        self.aware_of_me: set[int] = set()  # neighbours holding a view of me this spell
        self.relays_of_me: set[tuple[int, int]] = set()  # (listener, teller) relaying my ask
        self.relay_told: dict[int, tuple[int, int]] = {}  # teller -> (week, tellings that week)
        self.owes: dict[int, float] = {}
        self.unemployed_weeks_total: int = 0

    def ask_as(self, population: Population) -> None:
        """Ask with this node's strategy in ``population`` (again, after coaching)."""
        self.specificity = float(population.specificity[self.node])
        self.positivity = float(population.positivity[self.node])
        self.asks_per_week = int(population.asks_per_week[self.node])

    # --- 1. asks ------------------------------------------------------------------------
    def ask(self) -> None:
        """Ask up to k contacts not yet asked this spell, in the order the targeting rule sets."""
        if self.employed or self.asks_per_week == 0:
            return
        rnd = self.model.random
        candidates = [c for c in self.contacts if c.node not in self.asked]
        rnd.shuffle(candidates)  # random order within a tie class
        if self.targeting == "close":
            candidates.sort(key=lambda c: self.tie[c.node])
        elif self.targeting == "distant":
            candidates.sort(key=lambda c: -self.tie[c.node])
        for contact in candidates[: self.asks_per_week]:
            self.asked.add(contact.node)
            contact.answer(self)

    def answer(self, seeker: Person) -> int:
        """Answer ``seeker``'s ask: ACTION, EARS_OPEN or SYMPATHY."""
        model = self.model
        rnd = model.random
        view = self.view_of(seeker)
        tie = self.tie[seeker.node]
        pa = p_action(
            model.rules,
            seeker.specificity,
            seeker.positivity,
            self.owes.get(seeker.node, 0.0),
            seeker.reputation,
            float(self.ever_unemployed),
            tie,
            view.pity,
            float(self.help_banker and self.employed),  # the habit acts while employed
        )
        if model.bonus != 0.0 and seeker.arm == TREATED and self.employed:
            pa = shifted(pa, model.bonus)  # a referral bonus for acting on a treated seeker
        if rnd.random() < pa:
            state = ACTION
        elif rnd.random() < p_ears_open(model.rules, seeker.specificity, seeker.positivity, tie):
            state = EARS_OPEN
        else:
            state = SYMPATHY
        view.state = state
        model.record_answer(seeker, self, state)
        return state

    def view_of(self, seeker: Person) -> View:
        """My view of a neighbouring seeker, created UNAWARE on first use."""
        view = self.views.get(seeker.node)
        if view is None:
            view = self.views[seeker.node] = View()
            seeker.aware_of_me.add(self.node)
        return view

    # --- 2. out of earshot ----------------------------------------------------------------
    def gossip(self) -> None:
        """Talk about each seeker I answered to one neighbour, with probability gossip_rate."""
        model = self.model
        rnd = model.random
        rate = model.params.gossip_rate
        for seeker_node, view in list(self.views.items()):
            if view.state == UNAWARE:
                continue
            seeker = model.person[seeker_node]
            if seeker.employed or rnd.random() >= rate:
                continue
            listeners = [c for c in self.contacts if c.node != seeker_node]
            if not listeners:
                continue
            listener = rnd.choice(listeners)
            knows_seeker = seeker_node in listener.tie
            if view.state == SYMPATHY:
                model.week["gossip_pity"] += 1
                if knows_seeker:  # pity matters only to someone the seeker may ask
                    # A positive seeker gives the teller less pity to pass on.
                    listener.view_of(seeker).pity += 1.0 - seeker.positivity
            elif view.state == ACTION:
                if knows_seeker:
                    heard = listener.view_of(seeker)
                    if heard.state == UNAWARE:
                        heard.state = EARS_OPEN
                        model.week["gossip_ask"] += 1
                else:  # told to a stranger of the seeker: maybe kept, reaching beyond one hop
                    model.week["gossip_ask"] += 1
                    if model.keeps_relay() and listener.keep_relay(self.node, model.steps, rnd):
                        listener.relay[self.node] = seeker_node
                        seeker.relays_of_me.add((listener.node, self.node))

    def keep_relay(self, teller: int, week: int, rnd) -> bool:
        """Whether this telling from ``teller`` becomes the ask I remember for them.

        A later week's telling always replaces an earlier one; among one week's tellings on this
        tie one is kept uniformly at random, so the order agents act in does not matter.
        """
        last_week, count = self.relay_told.get(teller, (-1, 0))
        count = count + 1 if last_week == week else 1
        self.relay_told[teller] = (week, count)
        return count == 1 or rnd.random() * count < 1.0

    # --- 3. openings ----------------------------------------------------------------------
    def hear_opening(self) -> None:
        """Maybe hear of one opening: apply if seeking, else pass it to one eligible seeker."""
        model = self.model
        rnd = model.random
        r = model.rules
        if rnd.random() >= model.params.arrival_rate:
            return
        model.week["openings"] += 1
        if not self.employed_at_start:
            if rnd.random() < fit(r, self.specificity):
                model.offer(self, DIRECT, None, rnd.random() < p_hire(r, DIRECT, self.positivity))
            elif len(model.club) > 1 and self.arm == TREATED:  # a job club: to another member
                other = rnd.choice([member for member in model.club if member is not self])
                if rnd.random() < fit(r, other.specificity):
                    hired = rnd.random() < p_hire(r, LEAD, other.positivity)
                    model.offer(other, LEAD, self, hired, club=True)
            return
        eligible: list[tuple[Person, int]] = []
        for contact in self.contacts:
            if contact.employed_at_start:
                continue
            view = self.views.get(contact.node)
            state = UNAWARE if view is None else view.state
            if rnd.random() < p_pass(r, state, contact.specificity, self.help_banker):
                eligible.append((contact, INTRO if state == ACTION else LEAD))
        for teller_node in sorted(self.relay):
            seeker = model.person[self.relay[teller_node]]
            if seeker.employed_at_start:
                continue
            if rnd.random() < p_pass(r, EARS_OPEN, seeker.specificity, self.help_banker):
                eligible.append((seeker, LEAD))
        if not eligible:
            model.week["lost_openings"] += 1
            return
        target, channel = rnd.choice(eligible)
        model.offer(target, channel, self, rnd.random() < p_hire(r, channel, target.positivity))

    # --- 4. separations ----------------------------------------------------------------------
    def separate(self) -> None:
        if self.employed and self.model.random.random() < self.model.separation_rate:
            self.employed = False
            self.model.week["separations"] += 1
            self.start_spell()

    def start_spell(self) -> None:
        """A new spell of job search: contacts forget how they answered the last one."""
        self.ever_unemployed = True
        self.weeks_unemployed = 0
        self.spell_start = self.model.steps
        self.asked.clear()
        self.forget_me()

    def forget_me(self) -> None:
        """Contacts drop their views of me, and listeners the relays of my ask."""
        people = self.model.person
        for node in self.aware_of_me:
            del people[node].views[self.node]
        self.aware_of_me.clear()
        for listener, teller in self.relays_of_me:
            if people[listener].relay.get(teller) == self.node:  # not overwritten since
                del people[listener].relay[teller]
        self.relays_of_me.clear()

    # --- demography -----------------------------------------------------------------------------
    def age(self) -> None:
        """Leave the labour force with probability exit_rate; an entrant takes the node."""
        model = self.model
        if model.random.random() < model.exit_rate:
            model.week["exits"] += 1
            if not self.employed:
                model.censor(self)
            self.make_entrant()
            model.leave_arm(self)
            self.replaced = True

    def make_entrant(self) -> None:
        """Become a newcomer: no reputation, ledger, experience, views held or about me."""
        model = self.model
        rnd = model.random
        people = model.person
        self.forget_me()
        for seeker_node in self.views:  # views I held of others
            people[seeker_node].aware_of_me.discard(self.node)
        self.views.clear()
        for teller, seeker_node in self.relay.items():  # asks relayed to me
            people[seeker_node].relays_of_me.discard((self.node, teller))
        self.relay.clear()
        self.relay_told.clear()
        self.asked.clear()
        self.owes.clear()
        for contact in self.contacts:
            contact.asked.discard(self.node)  # they may ask the newcomer
            contact.owes.pop(self.node, None)
        self.reputation = 0.0
        self.employed = rnd.random() >= model.params.entrant_unemployed
        self.help_banker = rnd.random() < model.params.help_banker_share
        self.ever_unemployed = not self.employed  # looking for work: searching now
        self.weeks_unemployed = 0
        self.spell_start = model.steps

    # --- 5. help bank ---------------------------------------------------------------------------
    def credit(self, helper: Person, tied: bool = True) -> None:
        """``helper``'s pass got me hired: a debt of theirs to me is repaid first, else I owe.

        A relay listener (no tie to me) gains reputation but no ledger entry: we never met, and
        a debt between strangers could never be asked for or repaid. A fellow job-club member's
        pass (``tied=False``) is credited the same way, tie or not, as the Numba core does.
        """
        helper.reputation += 1.0
        if not tied or helper.node not in self.tie:
            return
        owed_to_me = helper.owes.get(self.node, 0.0)
        repaid = min(1.0, owed_to_me)
        if repaid > 0.0:
            helper.owes[self.node] = owed_to_me - repaid
        if repaid < 1.0:
            self.owes[helper.node] = self.owes.get(helper.node, 0.0) + (1.0 - repaid)

    def decay_credit(self, factor: float) -> None:
        self.reputation *= factor
        for node in self.owes:
            self.owes[node] *= factor

    def end_week(self) -> None:
        """Count the week: the spell grows, and in the window it is measured."""
        if self.employed:
            return
        model = self.model
        if model.measured:
            self.unemployed_weeks_total += 1
            model.by_group[self.group, G_UNEMPLOYED] += 1
            if model.followed:
                model.by_arm[self.arm, A_UNEMPLOYED] += 1
            if model.steps == model.params.weeks:
                model.censor(self)  # still looking at the window's end
        self.weeks_unemployed += 1
        if model.measured:
            model.elapsed[self.weeks_unemployed] += 1
