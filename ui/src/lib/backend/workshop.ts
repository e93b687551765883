// Lessons: the workshop overview, a lesson with live re-checks, checks, quizzes, commands.
import { Channel } from '@tauri-apps/api/core';
import type { CheckResult, CommandRun, LessonView, Locale, QuizResult, Trust, WorkshopOverview } from '../bindings';
import { commands } from '../commands';

/** The pack folder as the CLI names it, for the commands shown beside the buttons. */
export const packCli = 'workshops/devops-loop';

export function getOverview(locale: Locale): Promise<WorkshopOverview> {
  return commands.workshopOverview({ locale });
}

/** Opens a lesson; `onCheck` then receives a result each time the workspace changes. */
export function openLesson(lesson: string, locale: Locale, onCheck: (result: CheckResult) => void): Promise<LessonView> {
  const channel = new Channel<CheckResult>();
  channel.onmessage = onCheck;
  return commands.lessonOpen({ lesson, locale, onCheck: channel });
}

/** Stops the live re-checks of the lesson that was open. */
export function closeLesson(): Promise<void> {
  return commands.lessonClose();
}

export function checkStep(lesson: string, step: string): Promise<CheckResult> {
  return commands.stepCheck({ lesson, step });
}

export function answerQuiz(lesson: string, step: string, chosen: string[], locale: Locale): Promise<QuizResult> {
  return commands.quizAnswer({ lesson, step, chosen, locale });
}

export function solveStep(lesson: string, step: string): Promise<CommandRun> {
  return commands.stepSolve({ lesson, step });
}

export function runBlock(lesson: string, index: number, locale: Locale): Promise<CommandRun> {
  return commands.blockRun({ lesson, index, locale });
}

export function resetLesson(lesson: string): Promise<void> {
  return commands.lessonReset({ lesson });
}

/** Trusts the pack to run its commands: the content whose `digest` the learner was shown. */
export function trustPack(digest: string): Promise<Trust> {
  return commands.workshopTrust({ digest });
}

/** Moves the workspace aside and starts it fresh; resolves to where the old one went. */
export function resetWorkspace(): Promise<string | null> {
  return commands.workspaceReset();
}
