//! Every word a participant or supervisor reads, in Finnish, Swedish and English.
//!
//! Kept as small functions with one `match` arm per language, side by side, so a translator
//! sees the three versions of a sentence together and the compiler sees that none is missing.
//! Everything here returns plain text; escaping for HTML happens once, in [`crate::letter`].

use ohjaus_core::Locale;

/// Quotes a title the way each language does: ”Title” in Finnish and Swedish, “Title” in English.
pub fn quoted(locale: Locale, text: &str) -> String {
    match locale {
        Locale::Fi | Locale::Sv => format!("”{text}”"),
        Locale::En => format!("“{text}”"),
    }
}

/// Whether a series kind (wire name) is coaching rather than supervision.
pub fn is_coaching(kind: &str) -> bool {
    kind.ends_with("coaching")
}

/// The kind of a series in running text, e.g. "ryhmätyönohjaus". An unknown wire name is shown
/// as it is rather than hidden.
pub fn kind_name(locale: Locale, kind: &str) -> String {
    let name = match (locale, kind) {
        (Locale::Fi, "individual_supervision") => "yksilötyönohjaus",
        (Locale::Fi, "group_supervision") => "ryhmätyönohjaus",
        (Locale::Fi, "work_community_supervision") => "työyhteisön työnohjaus",
        (Locale::Fi, "individual_coaching") => "yksilövalmennus",
        (Locale::Fi, "team_coaching") => "tiimivalmennus",
        (Locale::Sv, "individual_supervision") => "individuell handledning",
        (Locale::Sv, "group_supervision") => "grupphandledning",
        (Locale::Sv, "work_community_supervision") => "arbetsgemenskapshandledning",
        (Locale::Sv, "individual_coaching") => "individuell coachning",
        (Locale::Sv, "team_coaching") => "teamcoachning",
        (Locale::En, "individual_supervision") => "individual supervision",
        (Locale::En, "group_supervision") => "group supervision",
        (Locale::En, "work_community_supervision") => "work community supervision",
        (Locale::En, "individual_coaching") => "individual coaching",
        (Locale::En, "team_coaching") => "team coaching",
        _ => return kind.replace('_', " "),
    };
    name.to_owned()
}

/// An evaluation phase (wire name) in running text.
pub fn phase_name(locale: Locale, phase: &str) -> String {
    let name = match (locale, phase) {
        (Locale::Fi, "goal_setting") => "tavoitteiden asettaminen",
        (Locale::Fi, "midpoint_review") => "väliarviointi",
        (Locale::Fi, "final_review") => "loppuarviointi",
        (Locale::Sv, "goal_setting") => "målsättning",
        (Locale::Sv, "midpoint_review") => "mellanutvärdering",
        (Locale::Sv, "final_review") => "slututvärdering",
        (Locale::En, "goal_setting") => "goal setting",
        (Locale::En, "midpoint_review") => "midpoint review",
        (Locale::En, "final_review") => "final review",
        _ => return phase.replace('_', " "),
    };
    name.to_owned()
}

/// "istunto 3/10", "träff 3/10", "session 3 of 10"; a make-up beyond the contracted count
/// says so instead of a confusing "11/10".
pub fn session_of(locale: Locale, index: u32, total: u32) -> String {
    if index > total {
        return match locale {
            Locale::Fi => format!("korvaava istunto {index}"),
            Locale::Sv => format!("ersättande träff {index}"),
            Locale::En => format!("make-up session {index}"),
        };
    }
    match locale {
        Locale::Fi => format!("istunto {index}/{total}"),
        Locale::Sv => format!("träff {index}/{total}"),
        Locale::En => format!("session {index} of {total}"),
    }
}

/// The position alone, for a labelled fact: "3/10", "3 of 10"; a make-up beyond the contracted
/// count says so.
pub fn position(locale: Locale, index: u32, total: u32) -> String {
    match locale {
        _ if index > total => match locale {
            Locale::Fi => format!("{index} (korvaava)"),
            Locale::Sv => format!("{index} (ersättande)"),
            Locale::En => format!("{index} (make-up)"),
        },
        Locale::Fi | Locale::Sv => format!("{index}/{total}"),
        Locale::En => format!("{index} of {total}"),
    }
}

/// "10 istuntoa", "10 träffar", "10 sessions".
pub fn session_count(locale: Locale, count: usize) -> String {
    match (locale, count) {
        (Locale::Fi, 1) => "1 istunto".to_owned(),
        (Locale::Fi, n) => format!("{n} istuntoa"),
        (Locale::Sv, 1) => "1 träff".to_owned(),
        (Locale::Sv, n) => format!("{n} träffar"),
        (Locale::En, 1) => "1 session".to_owned(),
        (Locale::En, n) => format!("{n} sessions"),
    }
}

/// A notice period: "48 tuntia", or "7 vuorokautta (168 tuntia)" when it is whole days.
pub fn notice_period(locale: Locale, hours: u32) -> String {
    let in_hours = match (locale, hours) {
        (Locale::Fi, 1) => "1 tunti".to_owned(),
        (Locale::Fi, h) => format!("{h} tuntia"),
        (Locale::Sv, 1) => "1 timme".to_owned(),
        (Locale::Sv, h) => format!("{h} timmar"),
        (Locale::En, 1) => "1 hour".to_owned(),
        (Locale::En, h) => format!("{h} hours"),
    };
    if hours < 72 || !hours.is_multiple_of(24) {
        return in_hours;
    }
    let days = hours / 24;
    match locale {
        Locale::Fi => format!("{days} vuorokautta ({in_hours})"),
        Locale::Sv => format!("{days} dygn ({in_hours})"),
        Locale::En => format!("{days} days ({in_hours})"),
    }
}

/// Labels of the facts table and headings.
#[derive(Debug, Clone, Copy)]
pub struct Labels {
    /// The series.
    pub what: &'static str,
    /// Its time.
    pub when: &'static str,
    /// Its place.
    pub place: &'static str,
    /// Its video link.
    pub video: &'static str,
    /// Which session.
    pub session: &'static str,
    /// The evaluation phase.
    pub phase: &'static str,
    /// The organization.
    pub organization: &'static str,
    /// Why.
    pub reason: &'static str,
    /// Where a moved session was.
    pub previously: &'static str,
    /// Heading of a session list.
    pub sessions: &'static str,
    /// Status word of a cancelled session in a list.
    pub cancelled: &'static str,
    /// Status word of a session that took place.
    pub held: &'static str,
    /// The link in a sign-in message.
    pub link: &'static str,
    /// When a link expires.
    pub valid_until: &'static str,
}

/// The labels of `locale`.
pub fn labels(locale: Locale) -> Labels {
    match locale {
        Locale::Fi => Labels {
            what: "Mitä",
            when: "Milloin",
            place: "Paikka",
            video: "Videoyhteys",
            session: "Istunto",
            phase: "Arviointi",
            organization: "Organisaatio",
            reason: "Syy",
            previously: "Aiempi aika",
            sessions: "Istunnot",
            cancelled: "peruttu",
            held: "pidetty",
            link: "Linkki",
            valid_until: "Voimassa",
        },
        Locale::Sv => Labels {
            what: "Vad",
            when: "När",
            place: "Plats",
            video: "Videolänk",
            session: "Träff",
            phase: "Utvärdering",
            organization: "Organisation",
            reason: "Orsak",
            previously: "Tidigare tid",
            sessions: "Träffar",
            cancelled: "inställd",
            held: "genomförd",
            link: "Länk",
            valid_until: "Giltig till",
        },
        Locale::En => Labels {
            what: "What",
            when: "When",
            place: "Where",
            video: "Video link",
            session: "Session",
            phase: "Evaluation",
            organization: "Organization",
            reason: "Reason",
            previously: "Previously",
            sessions: "Sessions",
            cancelled: "cancelled",
            held: "held",
            link: "Link",
            valid_until: "Valid until",
        },
    }
}

/// "Hei Maija Meikäläinen,".
pub fn greeting(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Fi => format!("Hei {name},"),
        Locale::Sv => format!("Hej {name},"),
        Locale::En => format!("Hello {name},"),
    }
}

/// The closing line of every message.
pub fn signature(locale: Locale) -> &'static str {
    match locale {
        Locale::Fi => "Tämä on automaattinen viesti Ohjaus-palvelusta.",
        Locale::Sv => "Detta är ett automatiskt meddelande från tjänsten Ohjaus.",
        Locale::En => "This is an automatic message from the Ohjaus service.",
    }
}

/// Where the calendar object is, said in an invite.
pub fn calendar_attached(locale: Locale) -> &'static str {
    match locale {
        Locale::Fi => {
            "Kalenterimerkintä on tämän viestin liitteenä (invite.ics); kalenterisi päivittyy, kun avaat sen."
        }
        Locale::Sv => "Kalenderposten finns bifogad (invite.ics); din kalender uppdateras när du öppnar den.",
        Locale::En => "The calendar entry is attached (invite.ics); your calendar updates when you open it.",
    }
}

/// How a participant cancels: tell the supervisor (or coach) in time.
pub fn how_to_cancel(locale: Locale, coaching: bool, supervisor: &str, hours: u32) -> String {
    let period = notice_period(locale, hours);
    match (locale, coaching) {
        (Locale::Fi, false) => format!(
            "Jos et pääse paikalle, ilmoita siitä työnohjaajallesi ({supervisor}) viimeistään {period} ennen alkua. Myöhemmin peruttu istunto lasketaan pidetyksi."
        ),
        (Locale::Fi, true) => format!(
            "Jos et pääse paikalle, ilmoita siitä valmentajallesi ({supervisor}) viimeistään {period} ennen alkua. Myöhemmin peruttu istunto lasketaan pidetyksi."
        ),
        (Locale::Sv, false) => format!(
            "Om du inte kan delta, meddela din handledare ({supervisor}) senast {period} före start. En senare avbokning räknas som en genomförd träff."
        ),
        (Locale::Sv, true) => format!(
            "Om du inte kan delta, meddela din coach ({supervisor}) senast {period} före start. En senare avbokning räknas som en genomförd träff."
        ),
        (Locale::En, false) => format!(
            "If you cannot attend, tell your supervisor ({supervisor}) at least {period} before the start. A later cancellation counts as a held session."
        ),
        (Locale::En, true) => format!(
            "If you cannot attend, tell your coach ({supervisor}) at least {period} before the start. A later cancellation counts as a held session."
        ),
    }
}

/// The label of the supervisor fact: "Työnohjaaja" or, for coaching, "Valmentaja".
pub fn supervisor_label(locale: Locale, coaching: bool) -> &'static str {
    match (locale, coaching) {
        (Locale::Fi, false) => "Työnohjaaja",
        (Locale::Fi, true) => "Valmentaja",
        (Locale::Sv, false) => "Handledare",
        (Locale::Sv, true) | (Locale::En, true) => "Coach",
        (Locale::En, false) => "Supervisor",
    }
}

/// Capitalizes the first letter: "istunto 3/10" → "Istunto 3/10".
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// What a message is about, with the pieces its subject and first paragraph need. Titles and
/// names arrive already made single-line; times already formatted for the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Headline {
    /// A series was booked; `first` is the first session's short start.
    Booked {
        /// The series' title.
        title: String,
        /// Kind in running text.
        kind: String,
        /// Sessions in this invite.
        count: usize,
        /// Short start of the first one.
        first: String,
        /// Whether the reader supervises it.
        supervisor: bool,
    },
    /// The reader was added to a series.
    Added {
        /// The series' title.
        title: String,
        /// Kind in running text.
        kind: String,
    },
    /// The reader was removed from a series.
    Removed {
        /// The series' title.
        title: String,
    },
    /// The supervisor's view of an added or removed participant.
    ParticipantsChanged {
        /// The series' title.
        title: String,
    },
    /// The reader became (`joined`) or stopped being the series' co-supervisor; or, neither,
    /// the supervisor's view of its co-supervisor changing.
    CoSupervision {
        /// The series' title.
        title: String,
        /// `Some(true)`: the reader joined; `Some(false)`: left; `None`: the supervisor's view.
        joined: Option<bool>,
    },
    /// One session moved.
    Moved {
        /// The series' title.
        title: String,
        /// "istunto 3/10".
        session: String,
        /// New short start.
        start: String,
    },
    /// One session was cancelled.
    Cancelled {
        /// The series' title.
        title: String,
        /// "istunto 4/10".
        session: String,
        /// Its short start.
        start: String,
        /// Late (consumed) or in time.
        late: bool,
        /// The series' notice in hours.
        notice_hours: u32,
    },
    /// A make-up session was added.
    Makeup {
        /// The series' title.
        title: String,
        /// Its short start.
        start: String,
    },
    /// Sessions from `from_index` on were re-planned.
    Replanned {
        /// The series' title.
        title: String,
        /// First re-planned session.
        from_index: u32,
    },
    /// The whole series was cancelled.
    SeriesCancelled {
        /// The series' title.
        title: String,
    },
    /// A participant cannot come (to the supervisor).
    Absence {
        /// The series' title.
        title: String,
        /// Who.
        participant: String,
        /// The session's index.
        index: u32,
        /// Sessions in the series.
        total: u32,
    },
    /// A session soon.
    Reminder {
        /// The series' title.
        title: String,
        /// Its short start.
        start: String,
    },
    /// The week ahead.
    Digest {
        /// Monday, as a date.
        from: String,
        /// Sunday, as a date.
        to: String,
        /// Sessions in the week.
        count: usize,
    },
    /// A sign-in link.
    SignIn,
    /// A webhook endpoint of the reader's organization was disabled.
    WebhookDisabled {
        /// Its scheme and host.
        endpoint: String,
    },
}

impl Headline {
    /// The subject line.
    pub fn subject(&self, locale: Locale) -> String {
        use Headline as H;
        use Locale::{En, Fi, Sv};
        match (self, locale) {
            (H::Booked { title, count, first, .. }, Fi) => {
                format!("Kutsu: {title} – {} alkaen {first}", session_count(Fi, *count))
            }
            (H::Booked { title, count, first, .. }, Sv) => {
                format!("Inbjudan: {title} – {} från {first}", session_count(Sv, *count))
            }
            (H::Booked { title, count, first, .. }, En) => {
                format!("Invitation: {title} – {} from {first}", session_count(En, *count))
            }
            (H::Added { title, .. }, Fi) => format!("Kutsu: {title}"),
            (H::Added { title, .. }, Sv) => format!("Inbjudan: {title}"),
            (H::Added { title, .. }, En) => format!("Invitation: {title}"),
            (H::Removed { title }, Fi) => format!("Poistettu sarjasta: {title}"),
            (H::Removed { title }, Sv) => format!("Borttagen ur serien: {title}"),
            (H::Removed { title }, En) => format!("Removed from: {title}"),
            (H::ParticipantsChanged { title }, Fi) => format!("Osallistujat muuttuneet: {title}"),
            (H::ParticipantsChanged { title }, Sv) => format!("Ändrade deltagare: {title}"),
            (H::ParticipantsChanged { title }, En) => format!("Participants changed: {title}"),
            (H::CoSupervision { title, joined: Some(true) }, Fi) => format!("Pariohjaus: {title}"),
            (H::CoSupervision { title, joined: Some(true) }, Sv) => format!("Parhandledning: {title}"),
            (H::CoSupervision { title, joined: Some(true) }, En) => format!("Co-supervision: {title}"),
            (H::CoSupervision { title, joined: Some(false) }, Fi) => format!("Pariohjaus päättyi: {title}"),
            (H::CoSupervision { title, joined: Some(false) }, Sv) => format!("Parhandledningen upphörde: {title}"),
            (H::CoSupervision { title, joined: Some(false) }, En) => format!("Co-supervision ended: {title}"),
            (H::CoSupervision { title, joined: None }, Fi) => format!("Pariohjaaja muuttunut: {title}"),
            (H::CoSupervision { title, joined: None }, Sv) => format!("Ändrad medhandledare: {title}"),
            (H::CoSupervision { title, joined: None }, En) => format!("Co-supervisor changed: {title}"),
            (H::Moved { title, session, start }, locale) => {
                let word = match locale {
                    Fi => "Siirretty",
                    Sv => "Flyttad",
                    En => "Moved",
                };
                let to = if start.is_empty() { String::new() } else { format!(" → {start}") };
                format!("{word}: {title}, {session}{to}")
            }
            (H::Cancelled { title, session, start, .. }, locale) => {
                let word = match locale {
                    Fi => "Peruttu",
                    Sv => "Inställd",
                    En => "Cancelled",
                };
                let when = if start.is_empty() { String::new() } else { format!(" ({start})") };
                format!("{word}: {title}, {session}{when}")
            }
            (H::Makeup { title, start }, locale) => {
                let word = match locale {
                    Fi => "Korvaava istunto",
                    Sv => "Ersättande träff",
                    En => "Make-up session",
                };
                let when = if start.is_empty() { String::new() } else { format!(", {start}") };
                format!("{word}: {title}{when}")
            }
            (H::Replanned { title, .. }, Fi) => format!("Aikataulu muuttunut: {title}"),
            (H::Replanned { title, .. }, Sv) => format!("Ändrat schema: {title}"),
            (H::Replanned { title, .. }, En) => format!("Schedule changed: {title}"),
            (H::SeriesCancelled { title }, Fi) => format!("Peruttu: {title} (koko sarja)"),
            (H::SeriesCancelled { title }, Sv) => format!("Inställd: {title} (hela serien)"),
            (H::SeriesCancelled { title }, En) => format!("Cancelled: {title} (whole series)"),
            (H::Absence { title, participant, index, total }, locale) => {
                let word = match locale {
                    Fi => "Poissaolo",
                    Sv => "Frånvaro",
                    En => "Absence",
                };
                format!("{word}: {participant}, {title}, {}", session_of(locale, *index, *total))
            }
            (H::Reminder { title, start }, Fi) => format!("Muistutus: {title}, {start}"),
            (H::Reminder { title, start }, Sv) => format!("Påminnelse: {title}, {start}"),
            (H::Reminder { title, start }, En) => format!("Reminder: {title}, {start}"),
            (H::Digest { from, to, count }, Fi) => format!("Viikkokatsaus {from}–{to}: {}", session_count(Fi, *count)),
            (H::Digest { from, to, count }, Sv) => format!("Veckoöversikt {from}–{to}: {}", session_count(Sv, *count)),
            (H::Digest { from, to, count }, En) => format!("Your week {from}–{to}: {}", session_count(En, *count)),
            (H::SignIn, Fi) => "Kirjautumislinkki Ohjaukseen".to_owned(),
            (H::SignIn, Sv) => "Inloggningslänk till Ohjaus".to_owned(),
            (H::SignIn, En) => "Your sign-in link to Ohjaus".to_owned(),
            (H::WebhookDisabled { endpoint }, Fi) => format!("Webhook poistettu käytöstä: {endpoint}"),
            (H::WebhookDisabled { endpoint }, Sv) => format!("Webhook avstängd: {endpoint}"),
            (H::WebhookDisabled { endpoint }, En) => format!("Webhook disabled: {endpoint}"),
        }
    }

    /// The first paragraph, one sentence a line.
    pub fn lead(&self, locale: Locale) -> Vec<String> {
        use Headline as H;
        use Locale::{En, Fi, Sv};
        let q = |title: &str| quoted(locale, title);
        match (self, locale) {
            (H::Booked { title, kind, count, supervisor: false, .. }, Fi) => {
                vec![format!("Sinulle on varattu {}: {} ({kind}).", session_count(Fi, *count), q(title))]
            }
            (H::Booked { title, kind, count, supervisor: true, .. }, Fi) => {
                vec![format!("Uusi sarja on varattu: {} ({kind}), {}.", q(title), session_count(Fi, *count))]
            }
            (H::Booked { title, kind, count, supervisor: false, .. }, Sv) => {
                vec![format!("Du har bokats till {}: {} ({kind}).", session_count(Sv, *count), q(title))]
            }
            (H::Booked { title, kind, count, supervisor: true, .. }, Sv) => {
                vec![format!("En ny serie har bokats: {} ({kind}), {}.", q(title), session_count(Sv, *count))]
            }
            (H::Booked { title, kind, count, supervisor: false, .. }, En) => {
                vec![format!("You have been booked for {}: {} ({kind}).", session_count(En, *count), q(title))]
            }
            (H::Booked { title, kind, count, supervisor: true, .. }, En) => {
                vec![format!("A new series has been booked: {} ({kind}), {}.", q(title), session_count(En, *count))]
            }
            (H::Added { title, kind }, Fi) => vec![
                format!("Sinut on lisätty sarjaan {} ({kind}).", q(title)),
                "Alla ovat istunnot, joihin olet kutsuttu.".to_owned(),
            ],
            (H::Added { title, kind }, Sv) => vec![
                format!("Du har lagts till i serien {} ({kind}).", q(title)),
                "Nedan finns de träffar du är inbjuden till.".to_owned(),
            ],
            (H::Added { title, kind }, En) => vec![
                format!("You have been added to {} ({kind}).", q(title)),
                "Below are the sessions you are invited to.".to_owned(),
            ],
            (H::Removed { title }, Fi) => vec![
                format!("Et ole enää osallistujana sarjassa {}.", q(title)),
                "Sen tulevat istunnot poistuvat kalenteristasi.".to_owned(),
            ],
            (H::Removed { title }, Sv) => vec![
                format!("Du deltar inte längre i serien {}.", q(title)),
                "Dess kommande träffar tas bort ur din kalender.".to_owned(),
            ],
            (H::Removed { title }, En) => vec![
                format!("You are no longer a participant of {}.", q(title)),
                "Its coming sessions are removed from your calendar.".to_owned(),
            ],
            (H::ParticipantsChanged { title }, Fi) => vec![
                format!("Sarjan {} osallistujat ovat muuttuneet.", q(title)),
                "Kalenterimerkinnän osallistujaluettelo on päivitetty.".to_owned(),
            ],
            (H::ParticipantsChanged { title }, Sv) => vec![
                format!("Deltagarna i serien {} har ändrats.", q(title)),
                "Deltagarlistan i kalenderposten är uppdaterad.".to_owned(),
            ],
            (H::ParticipantsChanged { title }, En) => vec![
                format!("The participants of {} have changed.", q(title)),
                "The calendar entry's attendee list is updated.".to_owned(),
            ],
            (H::CoSupervision { title, joined: Some(true) }, Fi) => {
                vec![format!("Olet nyt sarjan {} pariohjaaja.", q(title)), "Alla ovat sen tulevat istunnot.".to_owned()]
            }
            (H::CoSupervision { title, joined: Some(true) }, Sv) => vec![
                format!("Du är nu medhandledare i serien {}.", q(title)),
                "Nedan finns dess kommande träffar.".to_owned(),
            ],
            (H::CoSupervision { title, joined: Some(true) }, En) => {
                vec![format!("You now co-supervise {}.", q(title)), "Below are its coming sessions.".to_owned()]
            }
            (H::CoSupervision { title, joined: Some(false) }, Fi) => vec![
                format!("Et ole enää sarjan {} pariohjaaja.", q(title)),
                "Sen tulevat istunnot poistuvat kalenteristasi.".to_owned(),
            ],
            (H::CoSupervision { title, joined: Some(false) }, Sv) => vec![
                format!("Du är inte längre medhandledare i serien {}.", q(title)),
                "Dess kommande träffar tas bort ur din kalender.".to_owned(),
            ],
            (H::CoSupervision { title, joined: Some(false) }, En) => vec![
                format!("You no longer co-supervise {}.", q(title)),
                "Its coming sessions are removed from your calendar.".to_owned(),
            ],
            (H::CoSupervision { title, joined: None }, Fi) => vec![
                format!("Sarjan {} pariohjaaja on muuttunut.", q(title)),
                "Kalenterimerkinnän ohjaajat on päivitetty.".to_owned(),
            ],
            (H::CoSupervision { title, joined: None }, Sv) => vec![
                format!("Medhandledaren i serien {} har ändrats.", q(title)),
                "Handledarna i kalenderposten är uppdaterade.".to_owned(),
            ],
            (H::CoSupervision { title, joined: None }, En) => vec![
                format!("The co-supervisor of {} has changed.", q(title)),
                "The calendar entry's supervisors are updated.".to_owned(),
            ],
            (H::Moved { title, session, .. }, Fi) => {
                vec![format!("{} sarjassa {} on siirretty uuteen aikaan.", capitalized(session), q(title))]
            }
            (H::Moved { title, session, .. }, Sv) => {
                vec![format!("{} i serien {} har flyttats till en ny tid.", capitalized(session), q(title))]
            }
            (H::Moved { title, session, .. }, En) => {
                vec![format!("{} of {} has moved to a new time.", capitalized(session), q(title))]
            }
            (H::Cancelled { title, session, late, notice_hours, .. }, Fi) => {
                let period = notice_period(Fi, *notice_hours);
                vec![
                    format!("{} sarjassa {} on peruttu.", capitalized(session), q(title)),
                    if *late {
                        format!("Peruutus tehtiin alle {period} ennen alkua, joten istunto lasketaan pidetyksi.")
                    } else {
                        "Peruutus tehtiin ajoissa, joten istunto ei kulu sopimuksesta.".to_owned()
                    },
                ]
            }
            (H::Cancelled { title, session, late, notice_hours, .. }, Sv) => {
                let period = notice_period(Sv, *notice_hours);
                vec![
                    format!("{} i serien {} har ställts in.", capitalized(session), q(title)),
                    if *late {
                        format!("Avbokningen gjordes mindre än {period} före start, så träffen räknas som genomförd.")
                    } else {
                        "Avbokningen gjordes i tid, så träffen räknas inte av från avtalet.".to_owned()
                    },
                ]
            }
            (H::Cancelled { title, session, late, notice_hours, .. }, En) => {
                let period = notice_period(En, *notice_hours);
                vec![
                    format!("{} of {} is cancelled.", capitalized(session), q(title)),
                    if *late {
                        format!("It was cancelled less than {period} before the start, so it counts as held.")
                    } else {
                        "It was cancelled in time, so it does not count against the contract.".to_owned()
                    },
                ]
            }
            (H::Makeup { title, .. }, Fi) => {
                vec![format!("Sarjaan {} on lisätty korvaava istunto perutun tilalle.", q(title))]
            }
            (H::Makeup { title, .. }, Sv) => {
                vec![format!("En ersättande träff har lagts till i serien {} i stället för den inställda.", q(title))]
            }
            (H::Makeup { title, .. }, En) => {
                vec![format!("A make-up session has been added to {} in place of the cancelled one.", q(title))]
            }
            (H::Replanned { title, from_index }, Fi) => vec![
                format!("Sarjan {} aikataulu on muuttunut istunnosta {from_index} alkaen.", q(title)),
                "Alla ovat ajantasaiset ajat.".to_owned(),
            ],
            (H::Replanned { title, from_index }, Sv) => vec![
                format!("Schemat för serien {} har ändrats från och med träff {from_index}.", q(title)),
                "Nedan finns de aktuella tiderna.".to_owned(),
            ],
            (H::Replanned { title, from_index }, En) => vec![
                format!("The schedule of {} has changed from session {from_index} on.", q(title)),
                "The current times are below.".to_owned(),
            ],
            (H::SeriesCancelled { title }, Fi) => vec![
                format!("Sarja {} on peruttu.", q(title)),
                "Sen tulevat istunnot poistuvat kalenteristasi.".to_owned(),
            ],
            (H::SeriesCancelled { title }, Sv) => vec![
                format!("Serien {} har ställts in.", q(title)),
                "Dess kommande träffar tas bort ur din kalender.".to_owned(),
            ],
            (H::SeriesCancelled { title }, En) => vec![
                format!("The series {} is cancelled.", q(title)),
                "Its coming sessions are removed from your calendar.".to_owned(),
            ],
            (H::Absence { title, participant, index, total }, Fi) => {
                vec![format!("{participant} ei pääse sarjan {} istuntoon {index}/{total}.", q(title))]
            }
            (H::Absence { title, participant, index, total }, Sv) => {
                vec![format!("{participant} kan inte delta i träff {index}/{total} i serien {}.", q(title))]
            }
            (H::Absence { title, participant, index, total }, En) => {
                vec![format!("{participant} cannot attend session {index} of {total} of {}.", q(title))]
            }
            (H::Reminder { .. }, Fi) => vec!["Muistutus: sinulla on pian istunto.".to_owned()],
            (H::Reminder { .. }, Sv) => vec!["Påminnelse: du har snart en träff.".to_owned()],
            (H::Reminder { .. }, En) => vec!["A reminder: you have a session soon.".to_owned()],
            (H::Digest { count: 0, .. }, Fi) => vec!["Sinulla ei ole istuntoja tulevalla viikolla.".to_owned()],
            (H::Digest { count: 0, .. }, Sv) => vec!["Du har inga träffar kommande vecka.".to_owned()],
            (H::Digest { count: 0, .. }, En) => vec!["You have no sessions in the week ahead.".to_owned()],
            (H::Digest { .. }, Fi) => vec!["Tässä ovat tulevan viikon istuntosi.".to_owned()],
            (H::Digest { .. }, Sv) => vec!["Här är dina träffar för kommande vecka.".to_owned()],
            (H::Digest { .. }, En) => vec!["Here are your sessions for the week ahead.".to_owned()],
            (H::SignIn, Fi) => vec!["Kirjaudu Ohjaukseen alla olevalla linkillä. Linkki toimii kerran.".to_owned()],
            (H::SignIn, Sv) => vec!["Logga in i Ohjaus med länken nedan. Länken fungerar en gång.".to_owned()],
            (H::SignIn, En) => vec!["Sign in to Ohjaus with the link below. It works once.".to_owned()],
            (H::WebhookDisabled { .. }, Fi) => vec![
                "Ohjaus lopetti tapahtumien lähettämisen organisaationne webhook-osoitteeseen. Ota se uudelleen käyttöön Webhooks-sivulla, kun vastaanottaja toimii.".to_owned(),
            ],
            (H::WebhookDisabled { .. }, Sv) => vec![
                "Ohjaus slutade skicka händelser till er organisations webhook-adress. Aktivera den igen på sidan Webhooks när mottagaren fungerar.".to_owned(),
            ],
            (H::WebhookDisabled { .. }, En) => vec![
                "Ohjaus stopped sending events to your organization's webhook endpoint. Enable it again on the Webhooks page once the receiver works.".to_owned(),
            ],
        }
    }
}

/// Said under a sign-in link.
pub fn not_requested(locale: Locale) -> &'static str {
    match locale {
        Locale::Fi => "Jos et pyytänyt linkkiä, voit jättää tämän viestin huomiotta.",
        Locale::Sv => "Om du inte bad om länken kan du bortse från detta meddelande.",
        Locale::En => "If you did not ask for this link, you can ignore this message.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_without_a_time_has_no_dangling_arrow() {
        let moved = Headline::Moved { title: "T".into(), session: "istunto 3/10".into(), start: String::new() };
        assert_eq!(moved.subject(Locale::Fi), "Siirretty: T, istunto 3/10");
        let moved = Headline::Moved { title: "T".into(), session: "session 3 of 10".into(), start: "Tue".into() };
        assert_eq!(moved.subject(Locale::En), "Moved: T, session 3 of 10 → Tue");
    }

    #[test]
    fn notice_periods_read_naturally() {
        assert_eq!(notice_period(Locale::Fi, 48), "48 tuntia");
        assert_eq!(notice_period(Locale::Sv, 168), "7 dygn (168 timmar)");
        assert_eq!(notice_period(Locale::En, 1), "1 hour");
        assert_eq!(session_of(Locale::Fi, 11, 10), "korvaava istunto 11");
        assert_eq!(position(Locale::En, 3, 10), "3 of 10");
    }
}
