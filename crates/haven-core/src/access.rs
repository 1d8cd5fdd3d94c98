//! Who may do what: the roles of DOMAIN.md, the capabilities each role holds, and the
//! rules for passwords and lock-out. Every edge (web pages, JSON API, bulk actions) asks
//! [`Role::allows`]; the table lives here, once, so the documentation and the role ×
//! route test can be checked against one source.

use std::fmt;

/// A user's role. Each user has exactly one, and belongs to one agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    RegistrationOfficer,
    SiteManager,
    RsdOfficer,
    ResettlementOfficer,
    CountryDelegation,
    Monitor,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::RegistrationOfficer,
        Role::SiteManager,
        Role::RsdOfficer,
        Role::ResettlementOfficer,
        Role::CountryDelegation,
        Role::Monitor,
        Role::Administrator,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::RegistrationOfficer => "registration_officer",
            Role::SiteManager => "site_manager",
            Role::RsdOfficer => "rsd_officer",
            Role::ResettlementOfficer => "resettlement_officer",
            Role::CountryDelegation => "country_delegation",
            Role::Monitor => "monitor",
            Role::Administrator => "administrator",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::RegistrationOfficer => "Registration officer",
            Role::SiteManager => "Site manager",
            Role::RsdOfficer => "RSD officer",
            Role::ResettlementOfficer => "Resettlement officer",
            Role::CountryDelegation => "Country delegation",
            Role::Monitor => "Monitor",
            Role::Administrator => "Administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }

    /// Whether this role holds `cap`. Scope (which records) is checked separately: a
    /// country delegation holds [`Capability::DecideReferral`] only for its country.
    pub fn allows(self, cap: Capability) -> bool {
        use Capability as C;
        use Role as R;
        match cap {
            C::ViewDashboard => !matches!(self, R::CountryDelegation),
            C::ViewPeople => matches!(
                self,
                R::RegistrationOfficer | R::SiteManager | R::RsdOfficer | R::ResettlementOfficer
            ),
            C::Register => matches!(self, R::RegistrationOfficer),
            C::ViewSites => matches!(
                self,
                R::RegistrationOfficer | R::SiteManager | R::Monitor | R::Administrator
            ),
            C::ManageSites | C::ManageConvoys => matches!(self, R::SiteManager),
            C::ViewConvoys => matches!(self, R::SiteManager | R::RegistrationOfficer),
            C::ManageRsd => matches!(self, R::RsdOfficer),
            C::ViewPledges => matches!(self, R::ResettlementOfficer | R::Monitor),
            C::ManageResettlement => matches!(self, R::ResettlementOfficer),
            C::ViewReferrals => matches!(self, R::ResettlementOfficer | R::CountryDelegation),
            C::DecideReferral => matches!(self, R::ResettlementOfficer | R::CountryDelegation),
            C::ManageReturns => matches!(self, R::ResettlementOfficer),
            C::Administer | C::ViewAudit => matches!(self, R::Administrator),
        }
    }

    /// Capabilities held, in table order (for the administration page and docs).
    pub fn capabilities(self) -> Vec<Capability> {
        Capability::ALL
            .into_iter()
            .filter(|c| self.allows(*c))
            .collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Aggregates: the funnel, pledge gap, occupancy, queues. No personal data.
    ViewDashboard,
    /// Search, person and household records with their timelines.
    ViewPeople,
    /// Register households and fix records.
    Register,
    ViewSites,
    ManageSites,
    ViewConvoys,
    /// Plan, depart, receive and check in convoys.
    ManageConvoys,
    /// The RSD queue, interviews, decisions, notifications and appeals.
    ManageRsd,
    ViewPledges,
    /// Pledges, placement runs and their approval, departures.
    ManageResettlement,
    /// Referrals: all of them, or a delegation's own country's.
    ViewReferrals,
    /// Record a country's decision on a referral.
    DecideReferral,
    /// Voluntary return: counselling, consent, verification, scheduling.
    ManageReturns,
    /// Agencies, users and roles.
    Administer,
    /// The audit log and its verification.
    ViewAudit,
}

impl Capability {
    pub const ALL: [Capability; 15] = [
        Capability::ViewDashboard,
        Capability::ViewPeople,
        Capability::Register,
        Capability::ViewSites,
        Capability::ManageSites,
        Capability::ViewConvoys,
        Capability::ManageConvoys,
        Capability::ManageRsd,
        Capability::ViewPledges,
        Capability::ManageResettlement,
        Capability::ViewReferrals,
        Capability::DecideReferral,
        Capability::ManageReturns,
        Capability::Administer,
        Capability::ViewAudit,
    ];
}

/// Failed logins in a row that lock an account.
pub const LOCKOUT_AFTER_FAILURES: i64 = 5;
/// How long a locked account stays locked, in seconds.
pub const LOCKOUT_SECONDS: i64 = 15 * 60;
/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;

/// Why a password is refused, or `None` when it is acceptable.
pub fn password_problem(username: &str, password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Some(format!(
            "a password needs at least {MIN_PASSWORD_LEN} characters (this one has {n})"
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Some("a password may not be the username".into());
    }
    None
}

/// Whether a username is well formed: 3–64 of `a-z 0-9 . _ -`, starting with a letter.
pub fn username_problem(username: &str) -> Option<String> {
    let ok_len = (3..=64).contains(&username.len());
    let ok_first = username.starts_with(|c: char| c.is_ascii_lowercase());
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_first && ok_chars {
        None
    } else {
        Some(
            "a username is 3 to 64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter"
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_keys() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.key()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn monitor_sees_no_personal_data_and_delegation_no_aggregates() {
        assert!(Role::Monitor.allows(Capability::ViewDashboard));
        assert!(!Role::Monitor.allows(Capability::ViewPeople));
        assert!(!Role::Monitor.allows(Capability::ViewReferrals));
        assert!(!Role::CountryDelegation.allows(Capability::ViewPeople));
        assert!(Role::CountryDelegation.allows(Capability::DecideReferral));
        assert!(!Role::Administrator.allows(Capability::ViewPeople));
    }

    #[test]
    fn only_administrators_administer() {
        for r in Role::ALL {
            assert_eq!(
                r.allows(Capability::Administer),
                r == Role::Administrator,
                "{r}"
            );
        }
    }

    #[test]
    fn passwords_and_usernames_are_checked() {
        assert!(password_problem("amina", "short").is_some());
        assert!(password_problem("amina.k.officer", "AMINA.K.OFFICER").is_some());
        assert!(password_problem("amina", "a long enough passphrase").is_none());
        assert!(username_problem("amina.k").is_none());
        assert!(username_problem("Amina").is_some());
        assert!(username_problem("1abc").is_some());
        assert!(username_problem("ab").is_some());
    }
}
