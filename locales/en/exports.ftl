# CSV exports: the header row.

## Applications (applications.csv).

csv-id = Id
csv-status = Status
csv-eligibility = Eligibility
csv-automatic-check-eligible = Eligible by the automatic check
csv-applicant-kind = Applicant kind
csv-structure-name = Structure
csv-siret = SIRET
csv-rna = RNA
csv-contact-name = Contact name
csv-contact-email = Contact email
csv-contact-phone = Contact phone
csv-action-title = Action title
csv-summary = Summary
csv-action-start = Action start
csv-action-end = Action end
csv-locations = Locations
csv-video-url = Video
csv-website = Website
csv-submitted-at = Submitted at
csv-applicant-id = Applicant account
csv-description = Description
csv-review-reason = Review reason
csv-reviewed-at = Reviewed at
csv-public = Public
csv-shortlisted = Shortlisted
csv-audition-starts-at = Audition starts at
csv-audition-place = Audition place
csv-created-at = Created at
csv-updated-at = Updated at
csv-answer = Answer: { $criterion }

## Rankings (rankings.csv).

csv-rank = Rank
csv-application-id = Application
csv-total = Total
csv-spread = Spread between jurors
csv-scorecards = Scorecards
csv-missing = Missing scorecards
csv-normalized = Normalized total
csv-normalized-rank = Normalized rank
csv-tied = Tied
csv-mean = Mean: { $criterion }

## Published results (results.csv).

csv-prize = Prize
csv-kind = Kind
csv-candidate = Candidate
csv-outcome = Outcome
csv-votes = Votes
csv-turnout = Turnout
