//! A run plan: jobs placed in stages by `needs`, so independent jobs can run side by side.
//! Unknown needs and cycles are errors that name the jobs involved.

use std::collections::{BTreeMap, BTreeSet};

use super::workflow::Workflow;
use crate::diagnostic::Diagnostic;
use crate::finding::Finding;

/// Jobs in stages: every job's needs are in earlier stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub stages: Vec<Vec<String>>,
}

pub fn plan(wf: &Workflow) -> Result<Plan, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let ids: BTreeSet<&str> = wf.jobs.iter().map(|j| j.id.as_str()).collect();
    for job in &wf.jobs {
        for (need, pos) in &job.needs {
            if !ids.contains(need.as_str()) {
                diags.push(Diagnostic::line_col(
                    &wf.file,
                    pos.line,
                    pos.col,
                    Finding::new("unknownNeed")
                        .with("job", &job.id)
                        .with("need", need)
                        .with("jobs", ids.iter().copied().collect::<Vec<_>>().join(", ")),
                    format!(
                        "job `{}` needs `{need}`, which is not a job in this workflow",
                        job.id
                    ),
                    format!(
                        "use one of: {}",
                        ids.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            if need == &job.id {
                diags.push(Diagnostic::line_col(
                    &wf.file,
                    pos.line,
                    pos.col,
                    Finding::new("needsItself").with("job", &job.id),
                    format!("job `{}` needs itself", job.id),
                    "remove it from its own `needs`",
                ));
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // Kahn's order, linear in jobs and needs: a job's stage is one past its latest need's,
    // so a 5,000-job chain plans as fast as 5,000 independent jobs.
    let index: BTreeMap<&str, usize> = wf
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.as_str(), i))
        .collect();
    let n = wf.jobs.len();
    let mut waiting = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, job) in wf.jobs.iter().enumerate() {
        let needs: BTreeSet<&str> = job.needs.iter().map(|(n, _)| n.as_str()).collect();
        for need in needs {
            if let Some(&k) = index.get(need) {
                waiting[i] += 1;
                dependents[k].push(i);
            }
        }
    }
    let mut stage_of = vec![0usize; n];
    let mut ready: std::collections::VecDeque<usize> =
        (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut placed = 0;
    while let Some(j) = ready.pop_front() {
        placed += 1;
        for &d in &dependents[j] {
            stage_of[d] = stage_of[d].max(stage_of[j] + 1);
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push_back(d);
            }
        }
    }
    if placed < n {
        let remaining: BTreeMap<&str, BTreeSet<&str>> = wf
            .jobs
            .iter()
            .enumerate()
            .filter(|&(i, _)| waiting[i] > 0)
            .map(|(_, j)| {
                (
                    j.id.as_str(),
                    j.needs
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .filter(|n| index.get(n).is_some_and(|&k| waiting[k] > 0))
                        .collect(),
                )
            })
            .collect();
        let cycle = find_cycle(&remaining);
        let first = wf
            .jobs
            .iter()
            .find(|j| j.id == cycle[0])
            .map_or((1, 1), |j| (j.pos.line, j.pos.col));
        return Err(vec![Diagnostic::line_col(
            &wf.file,
            first.0,
            first.1,
            Finding::new("needsCycle").with("cycle", cycle.join(" → ")),
            format!("the jobs' `needs` form a cycle: {}", cycle.join(" → ")),
            "remove one of these `needs` so the jobs can run in an order",
        )]);
    }
    // File order within a stage: it is the order people read.
    let mut stages: Vec<Vec<String>> = vec![Vec::new(); stage_of.iter().max().map_or(0, |m| m + 1)];
    for (i, job) in wf.jobs.iter().enumerate() {
        stages[stage_of[i]].push(job.id.clone());
    }
    Ok(Plan { stages })
}

/// One cycle among the jobs that could not be placed, as `a → b → a`.
fn find_cycle<'a>(remaining: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<String> {
    let Some(start) = remaining.keys().next().copied() else {
        return Vec::new();
    };
    let mut path = vec![start];
    let mut current = start;
    while let Some(next) = remaining
        .get(current)
        .and_then(|n| n.iter().next().copied())
    {
        if let Some(i) = path.iter().position(|p| *p == next) {
            let mut cycle: Vec<String> = path[i..].iter().map(|s| (*s).to_owned()).collect();
            cycle.push(next.to_owned());
            return cycle;
        }
        path.push(next);
        current = next;
    }
    path.into_iter().map(str::to_owned).collect()
}
