"""Decisions read by meaning (decide.py over patterns/decisions.toml): the categories the issue
names, each in words of our own, and the look-alikes that must stay `other`."""

from __future__ import annotations

import pytest

from rejectscan import patterns
from rejectscan.decide import decide
from rejectscan.models import Kind

RULES = patterns.load().decisions


@pytest.mark.parametrize("subject, body, kind", [
    # turned down, in words no template lists
    ("Your application", "Thanks for your time. We won't be moving forward with your application.", Kind.REJECTION),
    ("Account", "We reviewed your details and we are unable to activate your account.", Kind.REJECTION),
    ("Profile review result", "Freelancer: Ana\nStatus: Declined\nReason code: R-17", Kind.REJECTION),
    ("Hi", "We looked at your profile and we aren't able to approve it right now.", Kind.REJECTION),
    ("Re: any update?", "I've looked at your application in full.\nWe can't take it further this time.", Kind.REJECTION),
    ("Update", "Unfortunately, you did not pass this step of our screening.", Kind.REJECTION),
    ("Your application", "We've decided to pass on your application for now.", Kind.REJECTION),
    ("Decision", "After a careful look we have concluded your account cannot be approved yet.", Kind.REJECTION),
    ("About your sign-up", "We have to regretfully decline your registration with us.", Kind.REJECTION),
    ("Result", "Your trial task did not succeed, which closes your application for this year.", Kind.REJECTION),
    ("Hello", "Sorry, your profile is not approve on this moment.", Kind.REJECTION),
    ("Profile", "We are not able to greenlight your profile as it stands.", Kind.REJECTION),
    # approvals and submissions in new words
    ("You're in!", "Great news: our moderators approved your application and your profile is now live.", Kind.APPROVAL),
    ("Welcome", "You've passed the final step of our screening. Welcome aboard.", Kind.APPROVAL),
    ("Profile submitted", "You're in the queue. Our team will review your profile within a day.", Kind.SUBMISSION),
    ("Your profile is pending approval", "You'll get an email when your profile is approved.", Kind.SUBMISSION),
    # restrictions are suspensions
    ("Important", "We've placed a hold on your account while we review recent activity.", Kind.SUSPENSION),
    ("Selling", "As a result, we have suspended your selling privileges.", Kind.SUSPENSION),
    ("Notice", "Your seller account was put on a temporary hold pending checks.", Kind.SUSPENSION),
    ("Notice", "Our integrity team is investigating your account after several complaints.", Kind.SUSPENSION),
    ("Your account", "Your account is under review by our Trust & Safety team.", Kind.SUSPENSION),
    # a reply's subject is the user's own words: the body's answer decides
    ("RE: my profile was rejected", "I've passed your profile to our reviewers for another look.", Kind.SUBMISSION),
    ("Re: Profile rejected, why", "I looked again with a colleague and we are keeping the earlier decision.", Kind.REJECTION),
    # joining in other words: a request to sell, a membership granted
    ("Seller request", "We checked your request to become a seller and it was not accepted.", Kind.REJECTION),
    ("Good news", "You are officially a member of our talent network from today.", Kind.APPROVAL),
    # a standing object named beside another: the outcome is said of both
    ("Status", "Your profile and your tax form are pending review.", Kind.SUBMISSION),
    # a remark about the review process is not a statement that the profile is untouched
    ("Review", "Choosing a paid plan does not affect the profile review. Sadly your profile was not approved.",
     Kind.REJECTION),
    # terse notices, British spelling, passive and indirect approvals, limits in other words
    ("Update", "Guru: freelancer profile not approved. Details inside.", Kind.REJECTION),
    ("Your registration", "I'm afraid I can't authorise your account for selling at the moment.", Kind.REJECTION),
    ("Profile", "Your profile has been checked and approved, and it is now listed in search.", Kind.APPROVAL),
    ("Go ahead", "We checked your sign-up, and you can start submitting bids today.", Kind.APPROVAL),
    ("Notice", "Your account is temporarily paused while we look at a payment.", Kind.SUSPENSION),
    ("Listing", "We reviewed the seller profile you created and it was not published.", Kind.REJECTION),
    ("Account health", "Bidding is paused on your account until our team has looked into a report.", Kind.SUSPENSION),
    # a refusal of the profile stays one when only the account is said to stay active
    ("Profile", "Your profile was not approved. Your account remains active, so you can still hire.", Kind.REJECTION),
    # progressive refusals, "yours", a score under the bar, a cause that is no condition
    ("Status", "We read your seller profile closely. Sadly we won't be listing it for buyers.", Kind.REJECTION),
    ("Hi", "I run the onboarding desk, and today I had to turn down yours, sorry.", Kind.REJECTION),
    ("Quiz", "Your online assessment scored below the pass mark, so we stop here.", Kind.REJECTION),
    ("Samples", "The samples look copied, which is why your account has not been activated.", Kind.REJECTION),
    # "closed" is the end of an application and a restriction of an account: the object tells which
    ("Result", "After the coding task, your application to our network was closed.", Kind.REJECTION),
    ("Duplicate", "We found your account and a second one on one phone, so both have been closed.", Kind.SUSPENSION),
    ("Queue", "Thanks for finishing your profile. It's now waiting for one of our reviewers.", Kind.SUBMISSION),
    # refusals without the usual verbs, typos, a table row, an appeal's answer
    ("Profile", "We went over your profile, and we have to say no this time.", Kind.REJECTION),
    ("Profile", "Your seller profile: it is not a yes yet.", Kind.REJECTION),
    ("Profile", "Right now your profile isn't one we can show to buyers.", Kind.REJECTION),
    ("Review", "We ended the review of your profile without approval.", Kind.REJECTION),
    ("Re: profile", "sorry we cant aprove ur profile yet, the links are private", Kind.REJECTION),
    ("Summary", "Profile        | Web design\nOutcome        | Declined", Kind.REJECTION),
    ("Re: my appeal about my profile", "After a second look, the earlier decision remains.", Kind.REJECTION),
    ("Re: my appeal about my profile", "We looked again and have overturned the original decision.", Kind.APPROVAL),
    ("Next steps", "We won't be progressing your candidacy to the last round.", Kind.REJECTION),
    # a brand-new account held for its first review is waiting, not restricted
    ("Welcome", "Your brand new account is on hold until we review your profile.", Kind.SUBMISSION),
    ("Heads up", "We've popped a limit on your account while we check a payment.", Kind.SUSPENSION),
    ("Live", "No section was rejected. Buyers can now find you, and you can start selling today.", Kind.APPROVAL),
    # openings and closings that are no condition; the verb's own object; a lifted hold
    ("Profile", "While we value the effort, we are unable to approve your profile.", Kind.REJECTION),
    ("Profile", "Once again, we are sorry that we could not approve your application.", Kind.REJECTION),
    ("Profile", "We want to tell you why we couldn't approve your profile.", Kind.REJECTION),
    ("Profile", "Until you add a profile photo, we can't approve your seller account.", Kind.REJECTION),
    ("Good news", "The hold on your account has been lifted and you can bid again.", Kind.APPROVAL),
])
def test_decisions_in_new_words(subject, body, kind):
    assert decide(subject, body, RULES).kind is kind


@pytest.mark.parametrize("subject, body", [
    ("Your proposal was declined", "Unfortunately, the client has declined your proposal for the logo job."),
    ("Update", "Your application to the job 'Data entry' was not selected."),
    ("Withdrawal", "We declined your withdrawal request because the account holder name doesn't match."),
    ("Photo", "Your profile photo was rejected: please upload a clear headshot."),
    ("Gig", 'Your Gig "I will edit your podcast" has been denied. Your other Gigs remain active.'),
    ("Verified", "Your identity was verified. You're all set. Welcome aboard,"),
    ("Tips", "Complete your profile to get approved faster."),
    ("New reply in: Why was my profile rejected?", '"Mine was rejected twice before it got approved."'),
    ("Exam result", "Unfortunately, you did not pass the English - Level 1 exam."),
    ("Digest", "Many profiles are rejected every day; here is how to stand out."),
    ("Security alert", "A login attempt was rejected because the code was wrong. Your account is fine."),
    ("Offer removed", "Your offer was rejected by moderation. Your profile is active and your other offers are not affected."),
    # someone else's decision, said the other way round; an action the user asked for
    ("Interview invitation withdrawn", "Your invitation to interview was declined by the client."),
    # someone else's profile in a job title; a programme refused while the profile stays live
    ("New projects for you", "- Fix my seller profile after it was rejected ($40)\n- Logo for a bakery ($90)"),
    ("Top Rated", "We can't add you to the programme yet. Your profile and all current Gigs stay live."),
    ("Specialized profile", "We could not approve your specialised profile for SEO. Your main profile remains visible."),
    ("Pro programme", "We can't accept you into the programme. Your account and profile remain just as they are."),
    # a question, a maintenance window, a plan, an event, a ticket closed, what never happened
    ("Re: Is my account suspended? (request #4821)", "I checked, and your account was never suspended."),
    ("Maintenance", "During scheduled maintenance on Sunday you won't be able to access your account."),
    ("Plus", "Your Freelancer Plus membership is now active."),
    ("Webinar", "We regret to inform you that your registration for the webinar has been cancelled."),
    ("Ticket update", "Ticket status: Closed"),
    ("Portfolio", "A portfolio project was removed from your profile because it contained contact details."),
    ("Help digest", "In some cases the original decision stands after an appeal."),
    ("Finish your profile", "Don't go further without finishing your profile: clients look at it first."),
    ("Agency", "The agency owner has declined your request to join their studio team."),
    ("Closed", "At your request we have deactivated your account. Your invoices stay available."),
    ("Edit not approved", "The edit to your profile title was not approved. Your profile remains live."),
    # a sentence's first word names someone else's object, not the reader's
    ("Community digest", "Another application was declined today after a long thread."),
    ("Forum", "Some profile was rejected yesterday and the owner asked why."),
    # a programme or badge turned down, while the email says the profile itself stays as it is
    ("Your Pro application", "We can't approve your application this time. Your profile remains public.", ),
    ("Program update", "Sorry, your application was declined. None of this will change anything about your account "
                       "or your profile, which stays live."),
])
def test_lookalikes_decide_nothing_about_the_profile(subject, body):
    assert decide(subject, body, RULES).kind is None


def test_an_approval_that_mentions_a_review_is_an_approval():
    got = decide("Profile update", "We've reviewed your profile. Good news: your profile has been approved.", RULES)
    assert got.kind is Kind.APPROVAL and "approved" in got.readings[0].sentence


def test_a_template_gives_way_when_the_sentences_say_its_words_are_about_something_else():
    """PeoplePerHour's generic rejection template matches 'profile ... was not approved'; the
    sentences read that refusal as a headline edit's, with the profile still live: `other`."""
    from rejectscan.match import match
    from rejectscan.models import Original, Via

    body = ("Your recent change to your profile headline was not approved by our moderators.\n\n"
            "Your profile is still live and keeps its previous headline.\n\nThe PeoplePerHour Team")
    original = Original(from_name="PeoplePerHour", from_addr="noreply@peopleperhour.com",
                        subject="Your profile change was not approved", body=body, forwarded=False, via=Via.DIRECT)
    result, _ = match(original, patterns.load())
    assert result.kind is Kind.OTHER and result.template is None


def test_a_submissions_stock_words_never_outweigh_a_decision_the_sentences_state():
    """'Thanks for submitting your profile' opens rejections and suspensions too: the exact words of
    the submission template must not make them a submission."""
    from rejectscan.match import match
    from rejectscan.models import Original, Via

    body = ("Thanks for submitting your profile! After a careful look, we are unable to approve it at this time.\n\n"
            "The Upwork Team")
    original = Original(from_name="Upwork", from_addr="donotreply@upwork.com", subject="Your Upwork profile",
                        body=body, forwarded=False, via=Via.DIRECT)
    result, _ = match(original, patterns.load())
    assert result.kind is Kind.REJECTION
