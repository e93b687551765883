// Lessons: the workshop overview, a lesson with live re-checks, checks, quizzes, commands.
import { Channel } from '@tauri-apps/api/core';
import type { CheckResult, CommandRun, LessonView, Locale, QuizResult, Trust, WorkshopOverview } from '../bindings';
import { call } from './ipc';

/** The pack folder as the CLI names it, for the commands shown beside the buttons. */
export const packCli = 'workshops/devops-loop';

export function getOverview(locale: Locale): Promise<WorkshopOverview> {
  return call<WorkshopOverview>('workshop_overview', { locale });
}

/** Opens a lesson; `onCheck` then receives a result each time the workspace changes. */
export function openLesson(lesson: string, locale: Locale, onCheck: (result: CheckResult) => void): Promise<LessonView> {
  const channel = new Channel<CheckResult>();
  channel.onmessage = onCheck;
  return call<LessonView>('lesson_open', { lesson, locale, onCheck: channel });
}

/** Stops the live re-checks of the lesson that was open. */
export function closeLesson(): Promise<void> {
  return call<void>('lesson_close', {});
}

export function checkStep(lesson: string, step: string): Promise<CheckResult> {
  return call<CheckResult>('step_check', { lesson, step });
}

export function answerQuiz(lesson: string, step: string, chosen: string[], locale: Locale): Promise<QuizResult> {
  return call<QuizResult>('quiz_answer', { lesson, step, chosen, locale });
}

export function solveStep(lesson: string, step: string): Promise<CommandRun> {
  return call<CommandRun>('step_solve', { lesson, step });
}

export function runBlock(lesson: string, index: number, locale: Locale): Promise<CommandRun> {
  return call<CommandRun>('block_run', { lesson, index, locale });
}

export function resetLesson(lesson: string): Promise<void> {
  return call<void>('lesson_reset', { lesson });
}

/** Trusts the pack to run its commands: the content whose `digest` the learner was shown. */
export function trustPack(digest: string): Promise<Trust> {
  return call<Trust>('workshop_trust', { digest });
}

/** Moves the workspace aside and starts it fresh; resolves to where the old one went. */
export function resetWorkspace(): Promise<string | null> {
  return call<string | null>('workspace_reset');
}
